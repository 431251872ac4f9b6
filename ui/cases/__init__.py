""""My cases": the operator's list, a case's detail, rejected changes, open by number."""

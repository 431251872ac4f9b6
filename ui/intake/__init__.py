"""The intake workspace: the case form an operator fills while the caller talks."""

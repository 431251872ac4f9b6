"""Practice mode (练习), shared by seat and server: scenarios (simulated calls with an answer key) and the scoring of
a trainee's attempt against the key. Nothing here touches real cases: practice numbers live in their own namespace
(contract/case_number.py `format_practice_number`)."""

"""The case form (工单受理): sections, field errors and the category picker."""

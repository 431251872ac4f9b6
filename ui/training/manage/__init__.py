"""The trainer's workspace 培训管理: scenario library and editor, scenarios from real cases, assignments."""

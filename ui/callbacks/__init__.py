"""The operators' 回访 workspace: the callback queue, claiming one, calling the citizen and recording the result."""

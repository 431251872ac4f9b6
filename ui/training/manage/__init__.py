"""The trainers' workspace (培训管理): scenario library, assignments and results."""

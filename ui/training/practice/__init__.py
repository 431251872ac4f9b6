"""练习: the trainee's practice workspace and the practice window, which plays a scenario through the desk's own
intake screens (ui/intake/assembly.py) against a separate practice store (operator_app/practice)."""

"""Calls reaching the seat: the screen pop (来电弹屏) with the caller's history."""

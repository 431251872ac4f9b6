"""Trainers and trainees: practice mode (练习) and the trainers' workspace (培训管理)."""

"""Training on the desk: practice for operators (practice/) and the trainer's workspace (manage/)."""

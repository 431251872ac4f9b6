"""Configuration, security and errors shared by the server's layers."""

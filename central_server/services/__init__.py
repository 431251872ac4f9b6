"""The server's logic: routes and the command line call these, never the tables directly."""

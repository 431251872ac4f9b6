"""The desk's frame: application start, login, the main window, sync status, recovery dialogs."""

"""The team lead's workbench (班组长工作台): a tabbed container (workbench.py) and its pages, data from the central
server through the signed-in lead's SyncEngine.api, always on the network thread."""

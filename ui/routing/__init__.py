"""Routing suggestions beside the form."""

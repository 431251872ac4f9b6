"""The city's configuration (departments, districts, categories, deadline rules, roster) and its loader."""

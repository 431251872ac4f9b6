"""The knowledge-base workspace: search, suggestions while typing, the article viewer."""

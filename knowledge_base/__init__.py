"""Policy knowledge base: articles, Chinese full-text index and search, agent-assist suggestions. No Qt."""

"""网络渠道: the one queue of citizens' messages from WeChat, the app and the website (read from the central server)."""

"""End-to-end: the real python-telegram-bot stack over HTTP against the stand-in Bot API."""

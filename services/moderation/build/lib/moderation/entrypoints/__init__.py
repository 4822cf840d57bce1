"""Pages (web.py) and the event consumer's handler table (consumer.py)."""

"""Service layer: event handlers that queue emails, the command that sends them, unit of work."""

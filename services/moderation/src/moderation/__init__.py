"""moderation: OIQ staff queues and decisions (built by a later issue)."""

"""moderation: the OIQ staff queue of account requests, staff decisions and staff tools."""

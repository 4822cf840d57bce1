"""The identity domain: accounts, one-time tokens, refresh tokens and their rules. Pure Python."""

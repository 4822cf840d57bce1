"""Web plumbing: the service ASGI app (API + pages), problem+json, the pages factory."""

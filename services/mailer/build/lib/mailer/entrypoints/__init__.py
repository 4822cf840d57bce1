"""Entrypoints: event consumer, scheduler ticks, the ASGI app factory."""

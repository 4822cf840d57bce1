"""Adapters: database tables and repository, mail transports, templates."""

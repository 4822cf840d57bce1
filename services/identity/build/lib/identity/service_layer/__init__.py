"""Commands, their handlers (in explicit tables), the unit of work and the message bus."""

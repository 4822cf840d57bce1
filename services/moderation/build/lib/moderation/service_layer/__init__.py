"""Commands, their handlers (one each, in an explicit table), the unit of work and read views."""

"""Ways to run the whole suite: embedded (one process) and distributed (one process per service)."""

"""offers: job offers and their lifecycle, scheduling, the public job site and search."""

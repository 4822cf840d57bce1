"""Tools for developers and the bench (not served)."""

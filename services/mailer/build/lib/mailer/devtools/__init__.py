"""Development and test tools (not used by the service itself)."""

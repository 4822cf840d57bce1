"""Token verification and the role → permission table."""

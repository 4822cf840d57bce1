"""identity: accounts, credentials, email verification, sessions and signed access tokens."""

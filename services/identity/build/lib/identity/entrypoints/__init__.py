"""How the outside world reaches identity: the API (http), the pages (web), the admin command."""

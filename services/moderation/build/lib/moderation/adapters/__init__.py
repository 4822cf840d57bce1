"""Database tables and mapping, repositories, and the HTTP client to company-portal."""

"""SQLAlchemy tables and repositories, password hashing, signing keys and JWT issuing."""

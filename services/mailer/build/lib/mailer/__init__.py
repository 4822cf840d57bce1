"""ingemplois mailer: turns account events into emails and delivers them over SMTP."""

"""The mailer's domain: emails to deliver and their delivery rules (pure Python)."""

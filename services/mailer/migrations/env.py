"""Alembic environment of the mailer (shared body in plumbing.migrations)."""

from mailer.adapters.orm import metadata
from plumbing.migrations import run_env

run_env(metadata)

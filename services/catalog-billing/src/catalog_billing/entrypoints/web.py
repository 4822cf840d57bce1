"""Employer pages (catalog, cart, caisse): a placeholder until [checkout] replaces this module."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("billing", __name__)

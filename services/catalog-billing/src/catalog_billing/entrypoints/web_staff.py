"""OIQ staff pages under /moderation/facturation: a placeholder until [staff] replaces this module."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("billing_staff", __name__, url_prefix="/moderation/facturation")

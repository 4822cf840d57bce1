"""Employer records pages (mes forfaits, transactions, invoices): a placeholder until [staff] replaces it."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("billing_records", __name__)

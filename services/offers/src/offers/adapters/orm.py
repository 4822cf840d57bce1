"""The offers database. Offers' own tables come with the offers issue; the messaging tables and
the membership projection (plumbing.auth.memberships, for permission checks) now."""

from sqlalchemy import MetaData

from plumbing.auth.memberships import membership_table
from plumbing.events.tables import inbox_table, outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
memberships = membership_table(metadata)

"""The offers database. Offers' own tables come with the offers issue; the messaging tables now."""

from sqlalchemy import MetaData

from plumbing.events.tables import inbox_table, outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

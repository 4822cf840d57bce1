"""Platform plumbing shared by the ingemplois services.

Only infrastructure lives here (configuration, database, events, web app factory, auth
verification, telemetry, page layout). Business rules belong to the service that owns the data.
"""

"""Events between services: envelope, schemas, outbox, inbox, transports, relay, consumers."""

"""The outbox: one row per planned contact, written with its compliance decision, then dispatched."""

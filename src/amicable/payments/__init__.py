"""Taking payments: provider adapters (a sandbox for the demo, Stripe Checkout for production) and
the provider's signed notifications, each posting to the ledger once (docs/payments.md)."""

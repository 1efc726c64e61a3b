"""The self-service portal for the people who owe: a signed link, a light identity check, then their
balance, what happens next, and the things they can do themselves (docs/portal.md)."""

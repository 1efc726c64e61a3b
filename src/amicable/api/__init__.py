"""The REST API for integrations (docs/api.md): token authentication per creditor, one scoping helper,
one error shape, and a router per resource under /api/v1/."""

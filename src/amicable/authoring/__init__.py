"""Supervisors' edits to playbooks and message templates, kept as versions in the database over the
packaged defaults, each checked before it is saved (docs/console.md)."""

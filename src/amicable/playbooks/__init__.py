"""Playbooks: declarative contact strategies, read from YAML and validated (pure: no Django)."""

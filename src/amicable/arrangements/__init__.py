"""Arrangements (pure): what a creditor allows, what a customer can afford, and the plans between."""

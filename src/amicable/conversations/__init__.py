"""Conversations: what customers send back, matched to them, understood, and acted on."""

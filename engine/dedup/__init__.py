"""Duplicate grouping into tiers (and, in a later step, keep-best rules)."""

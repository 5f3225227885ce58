"""Billfold, the second demo product: invoicing for small businesses (``invoicing.md`` beside this file)."""

"""Paperplane, the default demo product: a document-collaboration SaaS (shared/spec/demo-dataset.md)."""

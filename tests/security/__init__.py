"""Hostile requests, files at rest and honest outcomes (issue 12)."""

"""Proposals: community projects in stage proposed, their support and discussion."""

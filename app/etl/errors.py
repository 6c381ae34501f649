"""The one error a source can cause: a message that names the file and the column."""

from __future__ import annotations


class SourceError(Exception):
    """A source file is missing, unreadable or lacks a required column."""

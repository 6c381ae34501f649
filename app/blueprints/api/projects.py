"""API: projects (placeholder until issue 7 lands)."""

from __future__ import annotations

OPENAPI_PATHS: dict = {}
OPENAPI_SCHEMAS: dict = {}

"""The catalogue: faceted project search, project pages and CSV export (no Flask views here)."""

"""`make bench`: measured figures for docs/PERFORMANCE.md."""

"""One project, several registries: stored links, their review, and what users see of them."""

"""What changed: the change log, its pages, feeds, follows and email digests."""

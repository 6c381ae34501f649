"""Every credit record: the /credits search, harmonised beneficiaries and their pages."""

"""Accounts and community projects: the rules below the views, callable without HTTP."""

"""The `flask --app wsgi ...` commands, each defined next to the code it drives."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from app.blueprints.accounts import create_admin_command
    from app.changes.digests import send_digests_command
    from app.credits.commands import credits_backfill_command
    from app.etl.commands import seed_demo_command, sync_command
    from app.links.store import match_projects_command
    from app.news import fetch_news_command
    from app.worker import worker_command

    for command in (
        sync_command,
        seed_demo_command,
        fetch_news_command,
        create_admin_command,
        worker_command,
        match_projects_command,
        send_digests_command,
        credits_backfill_command,
    ):
        app.cli.add_command(command)

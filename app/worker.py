"""The background worker: scheduled and queued syncs, news, one sync at a time."""

from __future__ import annotations

import click


@click.command("worker")
def worker_command() -> None:
    """Run the scheduler worker in the foreground."""
    raise click.ClickException("the worker is not built yet (issue 8)")

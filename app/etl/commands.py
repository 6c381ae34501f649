"""CLI glue for the sync: `flask --app wsgi sync` and `seed-demo`."""

from __future__ import annotations

import click


@click.command("sync")
@click.option("--source-dir", type=click.Path(exists=True, file_okay=False), default=None)
def sync_command(source_dir: str | None) -> None:
    """Download (or read from --source-dir) OffsetsDB and VROD, merge, load."""
    raise click.ClickException("sync is not built yet (issue 3)")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the catalogue has no projects yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the bundled demo data (real VROD and OffsetsDB samples)."""
    click.echo("No demo data bundled yet.")

"""CLI glue for the sync: `flask --app wsgi sync` and `seed-demo`."""

from __future__ import annotations

import time

import click
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import COMMUNITY, Project, SyncRun


def _print_step(run: SyncRun) -> None:
    progress = run.progress or {}
    details = ", ".join(f"{k} {v:,}" for k, v in progress.items() if k != "step" and v)
    click.echo(f"  {run.step} ..." + (f" ({details})" if details else ""))


def run_sync(source_dir: str | None, label: str, registries: str | None = None) -> SyncRun:
    """Sync right here, holding the one-sync lock so no worker runs one meanwhile."""
    from app.etl.sync import execute_sync
    from app.sync_queue import Heartbeat, exclusive_run

    with exclusive_run("cli", source_dir=source_dir) as run:
        if run is None:
            raise click.ClickException("another sync is running; try again when it has finished")
        run.registries = registries
        db.session.commit()
        started = time.perf_counter()
        click.echo(f"{label} (run {run.id}) from {source_dir or 'the configured URLs'}")
        # Beat between steps too, or a worker's reaper takes a long download for a dead run.
        interval = current_app.config["SYNC_HEARTBEAT_SECONDS"]
        with Heartbeat(db.engine, run.id, interval):
            run = execute_sync(run.id, on_step=_print_step)
    elapsed = time.perf_counter() - started
    click.echo(f"{run.status} in {elapsed:.1f} s: {run.message}")
    for warning in (run.report or {}).get("warnings", []):
        click.echo(f"  warning: {warning}")
    for outcome in ((run.report or {}).get("registries") or {}).get("outcomes", {}).values():
        click.echo(f"  {outcome['label']}: {outcome['status']} ({outcome['message']})")
    if run.status != "succeeded":
        raise SystemExit(1)
    return run


@click.command("sync")
@click.option("--source-dir", type=click.Path(exists=True, file_okay=False), default=None)
@click.option(
    "--registry",
    "registries",
    default=None,
    help="Only these registries (verra, gold_standard, acr, car, art; comma-separated), "
    "laid over the stored OffsetsDB + VROD merge.",
)
def sync_command(source_dir: str | None, registries: str | None) -> None:
    """Download (or read from --source-dir) OffsetsDB, VROD and the registries' own data,
    merge, load."""
    from app.etl.registry_sync import parse_registry_names

    try:
        keys = parse_registry_names(registries)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--registry") from error
    label = f"Syncing {', '.join(keys)}" if keys else "Syncing the catalogue"
    run_sync(source_dir, label, ",".join(keys) if keys else None)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the catalogue has no projects yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the bundled demo data (real VROD and OffsetsDB samples)."""
    if if_empty:
        has_projects = db.session.execute(
            select(Project.id).where(Project.registry != COMMUNITY).limit(1)
        ).first()
        if has_projects:
            click.echo("Catalogue already loaded; skipping the demo data.")
            return
    run_sync(current_app.config["DEMO_DATA_DIR"], "Loading the demo data")

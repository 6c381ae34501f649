"""Accounts: register, sign in and out; the user's own community projects."""

from __future__ import annotations

import click
from flask import Blueprint, render_template

bp = Blueprint("accounts", __name__)


@bp.get("/auth/login")
def login():
    return render_template("placeholder.html", title="Sign in")


@bp.get("/auth/register")
def register():
    return render_template("placeholder.html", title="Create an account")


@bp.post("/auth/logout")
def logout():
    return render_template("placeholder.html", title="Sign out")


@bp.get("/account/projects")
def my_projects():
    return render_template("placeholder.html", title="My projects")


@click.command("create-admin")
@click.argument("email")
def create_admin_command(email: str) -> None:
    """Create an admin account (or make an existing account admin)."""
    raise click.ClickException("create-admin is not built yet (issue 5)")

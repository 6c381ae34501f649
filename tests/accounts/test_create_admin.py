"""flask create-admin: a new admin from a password file or the terminal; or a promotion."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import UserAccount
from tests.factories import make_user


def admin(email: str) -> UserAccount | None:
    db.session.expire_all()
    return db.session.scalar(select(UserAccount).where(UserAccount.email == email))


def test_create_admin_from_a_password_file(app, tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text("moss granite lantern\n")
    result = app.test_cli_runner().invoke(
        args=["create-admin", "Root@Example.org", "--password-file", str(password_file)]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin: root@example.org" in result.output
    user = admin("root@example.org")
    assert user.role == "admin"
    assert check_password_hash(user.password_hash, "moss granite lantern")
    assert "moss granite lantern" not in result.output


def test_create_admin_asks_twice_on_the_terminal(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "root@example.org"],
        input="moss granite lantern\nmoss granite lantern\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") >= 1
    assert "moss granite lantern" not in result.output
    assert admin("root@example.org").role == "admin"


def test_create_admin_refuses_a_weak_password(app, tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text("short\n")
    result = app.test_cli_runner().invoke(
        args=["create-admin", "root@example.org", "--password-file", str(password_file)]
    )
    assert result.exit_code != 0
    assert "at least 10" in result.output
    assert admin("root@example.org") is None


def test_create_admin_promotes_an_existing_account(app):
    make_user("ana@example.org")
    result = app.test_cli_runner().invoke(args=["create-admin", "ANA@example.org"])
    assert result.exit_code == 0, result.output
    assert "Made admin: ana@example.org" in result.output
    assert admin("ana@example.org").role == "admin"

"""Sessions that end: every session and remember cookie carries the account's session token.

Flask-Login keeps ``UserAccount.get_id()`` ("<id>:<token>") in the session and in the
remember cookie. A new token (sign-out, password change, "sign out everywhere") makes
every copy of either cookie name no account, on every device and every web instance,
because the token lives in the database, not in process memory.
"""

from __future__ import annotations

import hmac
import secrets

from flask import session
from flask_login import login_user, logout_user

from app.extensions import db
from app.models import UserAccount, new_session_token
from app.request_input import ascii_int


def load_user(stored_id: str) -> UserAccount | None:
    """The account a session or remember cookie names, when its token is still current."""
    account_id, _, rest = (stored_id or "").partition(":")
    token = rest.partition(":")[0]
    number = ascii_int(account_id)
    if number is None or not token:
        return None
    user = db.session.get(UserAccount, number)
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def sign_in(user: UserAccount, remember: bool = False) -> None:
    """Sign in on this device. A random suffix per sign-in makes each remember cookie new,
    so an old copy never equals a fresh one (load_user ignores the suffix)."""
    login_user(user, remember=remember)
    session["_user_id"] = f"{user.get_id()}:{secrets.token_hex(8)}"


def end_all_sessions(user: UserAccount) -> None:
    """Every session and remember cookie of this account stops working, here and elsewhere."""
    user.session_token = new_session_token()
    db.session.commit()


def sign_out(user: UserAccount) -> None:
    """Sign out: this device and every other one."""
    end_all_sessions(user)
    logout_user()

"""User accounts: email and password rules, registration, sign-in checks, admins."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import UserAccount

MIN_PASSWORD_LENGTH = 10
# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
MAX_PASSWORD_LENGTH = 256
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "password12",
        "password123",
        "password1234",
        "passwordpassword",
        "qwertyuiop",
        "1q2w3e4r5t",
        "iloveyou12",
        "letmein123",
        "aaaaaaaaaa",
    }
)
# Compared against when the email is unknown, so a miss takes as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("carbonscope-unknown-user")


class AccountError(ValueError):
    """A rule an email or password broke, in words for the person who typed it."""


def normalise_email(raw: str | None) -> str:
    """A valid address, trimmed and lower-cased; AccountError says what is wrong."""
    value = (raw or "").strip()
    if not value:
        raise AccountError(_("Enter your email address."))
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(
            _("That doesn't look like an email address: %(reason)s", reason=error)
        ) from error
    return result.normalized.lower()


def password_problem(password: str | None, email: str | None = None) -> str | None:
    """Why a new password is not acceptable, or None when it is."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _(
            "Use at least %(minimum)d characters (%(typed)d so far).",
            minimum=MIN_PASSWORD_LENGTH,
            typed=len(password),
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Use at most %(maximum)d characters.", maximum=MAX_PASSWORD_LENGTH)
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        return _("That password is too easy to guess; try a few unrelated words.")
    if email and password.strip().lower() == email.strip().lower():
        return _("Your password can't be your email address.")
    return None


def find_user(email: str) -> UserAccount | None:
    return db.session.scalar(select(UserAccount).where(func.lower(UserAccount.email) == email))


def email_taken(email: str) -> bool:
    return find_user(email) is not None


def register_user(
    email: str, password: str, role: str = "user", locale: str | None = None
) -> UserAccount:
    """Create an account (in ``locale``, the language chosen before signing up, if any);
    AccountError when the address is taken or the password weak."""
    email = normalise_email(email)
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)
    if email_taken(email):
        raise AccountError(_("An account with this email already exists. Sign in instead?"))
    user = UserAccount(
        email=email, password_hash=generate_password_hash(password), role=role, locale=locale
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as error:  # two sign-ups with one address at the same moment
        db.session.rollback()
        raise AccountError(
            _("An account with this email already exists. Sign in instead?")
        ) from error
    return user


def authenticate(email: str, password: str) -> UserAccount | None:
    """The account when the password matches it, else None (same work either way)."""
    user = find_user(email)
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def change_password(user: UserAccount, password: str) -> None:
    """Store a new password (already checked by password_problem)."""
    user.password_hash = generate_password_hash(password)
    db.session.commit()


def make_admin(email: str, password: str | None) -> tuple[UserAccount, bool]:
    """Promote an existing account to admin, or create one; True when it was created."""
    email = normalise_email(email)
    user = find_user(email)
    if user is not None:
        user.role = "admin"
        db.session.commit()
        return user, False
    if password is None:
        raise AccountError(_("A new admin account needs a password."))
    return register_user(email, password, role="admin"), True

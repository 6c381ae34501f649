"""The forms of sign-up, sign-in and community projects, with their server-side rules."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.accounts.community import EDITABLE_FIELDS
from app.accounts.users import AccountError, email_taken, normalise_email, password_problem
from app.models import COMMUNITY_STAGES, REGISTRIES

STAGE_LABELS = {
    "proposed": "Proposed: looking for support",
    "registered": "Registered with a registry",
    "withdrawn": "Withdrawn: no longer looking for support",
}
# 'VCS 191', 'vcs-191' and 'GS1234' (VROD's Gold Standard prefix) are all accepted.
_REGISTRY_ID = re.compile(r"^(VCS|VERRA|GLD|GS|ACR|CAR|ART)[\s\-_]*(\d{1,9})$")
_PREFIX_ALIASES = {"GS": "GLD", "VERRA": "VCS"}


def canonical_registry_id(raw: str | None) -> str | None:
    """'vcs 191' -> 'VCS191', 'GS1234' -> 'GLD1234'; None when it is not a registry id."""
    match = _REGISTRY_ID.match((raw or "").strip().upper())
    if not match:
        return None
    prefix, number = match.groups()
    prefix = _PREFIX_ALIASES.get(prefix, prefix)
    return f"{prefix}{int(number)}" if prefix in REGISTRIES else None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegisterForm(FlaskForm):
    email = EmailField("Email", filters=[_strip])
    password = PasswordField("Password")

    def validate_email(self, field):
        try:
            field.data = normalise_email(field.data)
        except AccountError as error:
            raise ValidationError(str(error)) from error
        if email_taken(field.data):
            raise ValidationError("An account with this email already exists. Sign in instead?")

    def validate_password(self, field):
        problem = password_problem(field.data, self.email.data)
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[_strip], validators=[InputRequired("Enter your email.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])
    remember = BooleanField("Keep me signed in on this device")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password.")]
    )
    new_password = PasswordField("New password")

    def __init__(self, email: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_new_password(self, field):
        problem = password_problem(field.data, self._email)
        if problem:
            raise ValidationError(problem)


def _http_url(form, field):
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
        raise ValidationError("Enter a full web address starting with https:// or http://.")


class ProjectForm(FlaskForm):
    """A community project; the view fills the choices from the catalogue."""

    name = StringField(
        "Project name",
        filters=[_strip],
        validators=[InputRequired("Give the project a name."), Length(max=300)],
    )
    description = TextAreaField(
        "Description", filters=[_strip], validators=[Optional(), Length(max=10_000)]
    )
    country = SelectField("Country", choices=[], validate_choice=True)
    scope = StringField("Scope", filters=[_strip], validators=[Optional(), Length(max=100)])
    project_type = StringField(
        "Project type", filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    methodology = StringField(
        "Methodology", filters=[_strip], validators=[Optional(), Length(max=500)]
    )
    developer = StringField(
        "Developer organisation", filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    website = URLField(
        "Website", filters=[_strip], validators=[Optional(), Length(max=1000), _http_url]
    )
    expected_annual_credits = IntegerField(
        "Expected annual credits (tCO₂e)",
        validators=[
            Optional(),
            NumberRange(min=0, max=10**12, message="Enter a whole number from 0 upwards."),
        ],
    )
    expected_first_vintage = IntegerField("Expected first vintage", validators=[Optional()])
    stage = SelectField(
        "Stage", choices=[SelectChoice(stage, STAGE_LABELS[stage]) for stage in COMMUNITY_STAGES]
    )
    registered_project_id = StringField(
        "Registry id", filters=[_strip], validators=[Length(max=64)]
    )

    def set_country_choices(self, countries: list[str]) -> None:
        names = list(countries)
        stored = self.country.object_data  # kept even if the catalogue no longer lists it
        if stored and stored not in names:
            names.append(stored)
        self.country.choices = [SelectChoice("", "— choose a country —")] + [
            SelectChoice(name) for name in names
        ]

    def validate_expected_first_vintage(self, field):
        if field.data is None:
            return
        latest = date.today().year + 30
        if not 1990 <= field.data <= latest:
            raise ValidationError(f"Enter a year between 1990 and {latest}.")

    def validate_registered_project_id(self, field):
        if not field.data:
            field.data = None
            if self.stage.data == "registered":
                raise ValidationError("A registered project needs the id its registry gave it.")
            return
        canonical = canonical_registry_id(field.data)
        if canonical is None:
            raise ValidationError(_REGISTRY_ID_HELP)
        field.data = canonical

    def project_fields(self) -> dict:
        """The validated values, as Project column values (empty text becomes None)."""
        return {name: self._column_value(getattr(self, name).data) for name in EDITABLE_FIELDS}

    @staticmethod
    def _column_value(value):
        return None if value == "" else value


_REGISTRY_ID_HELP = (
    "Enter the registry's id: VCS, GLD, ACR, CAR or ART followed by its number, e.g. VCS1234."
)

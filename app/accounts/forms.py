"""The forms of sign-up, sign-in and community projects, with their server-side rules."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
    "proposed": _l("Proposed: looking for support"),
    "registered": _l("Registered with a registry"),
    "withdrawn": _l("Withdrawn: no longer looking for support"),
}
# A stage in a list or a detail (the form's choices say more).
STAGE_NAMES = {
    "proposed": _l("Proposed"),
    "registered": _l("Registered"),
    "withdrawn": _l("Withdrawn"),
}


def stage_name(stage: str | None) -> str:
    return str(STAGE_NAMES.get(stage or "", (stage or "").capitalize()))


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
    email = EmailField(_l("Email"), filters=[_strip])
    password = PasswordField(_l("Password"))

    def validate_email(self, field):
        try:
            field.data = normalise_email(field.data)
        except AccountError as error:
            raise ValidationError(str(error)) from error
        if email_taken(field.data):
            raise ValidationError(_("An account with this email already exists. Sign in instead?"))

    def validate_password(self, field):
        problem = password_problem(field.data, self.email.data)
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"), filters=[_strip], validators=[InputRequired(_l("Enter your email."))]
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(_l("New password"))

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
        raise ValidationError(_("Enter a full web address starting with https:// or http://."))


class ProjectForm(FlaskForm):
    """A community project; the view fills the choices from the catalogue."""

    name = StringField(
        _l("Project name"),
        filters=[_strip],
        validators=[InputRequired(_l("Give the project a name.")), Length(max=300)],
    )
    description = TextAreaField(
        _l("Description"), filters=[_strip], validators=[Optional(), Length(max=10_000)]
    )
    country = SelectField(_l("Country"), choices=[], validate_choice=True)
    scope = StringField(_l("Scope"), filters=[_strip], validators=[Optional(), Length(max=100)])
    project_type = StringField(
        _l("Project type"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    methodology = StringField(
        _l("Methodology"), filters=[_strip], validators=[Optional(), Length(max=500)]
    )
    developer = StringField(
        _l("Developer organisation"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    website = URLField(
        _l("Website"), filters=[_strip], validators=[Optional(), Length(max=1000), _http_url]
    )
    expected_annual_credits = IntegerField(
        _l("Expected annual credits (tCO₂e)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=10**12, message=_l("Enter a whole number from 0 upwards.")),
        ],
    )
    expected_first_vintage = IntegerField(_l("Expected first vintage"), validators=[Optional()])
    stage = SelectField(
        _l("Stage"),
        choices=[SelectChoice(stage, STAGE_LABELS[stage]) for stage in COMMUNITY_STAGES],
    )
    registered_project_id = StringField(
        _l("Registry id"), filters=[_strip], validators=[Length(max=64)]
    )

    def set_country_choices(self, countries: list[str]) -> None:
        names = list(countries)
        stored = self.country.object_data  # kept even if the catalogue no longer lists it
        if stored and stored not in names:
            names.append(stored)
        self.country.choices = [SelectChoice("", _("— choose a country —"))] + [
            SelectChoice(name) for name in names
        ]

    def validate_expected_first_vintage(self, field):
        if field.data is None:
            return
        latest = date.today().year + 30
        if not 1990 <= field.data <= latest:
            raise ValidationError(_("Enter a year between 1990 and %(latest)d.", latest=latest))

    def validate_registered_project_id(self, field):
        if not field.data:
            field.data = None
            if self.stage.data == "registered":
                raise ValidationError(_("A registered project needs the id its registry gave it."))
            return
        canonical = canonical_registry_id(field.data)
        if canonical is None:
            raise ValidationError(str(_REGISTRY_ID_HELP))
        field.data = canonical

    def project_fields(self) -> dict:
        """The validated values, as Project column values (empty text becomes None)."""
        return {name: self._column_value(getattr(self, name).data) for name in EDITABLE_FIELDS}

    @staticmethod
    def _column_value(value):
        return None if value == "" else value


_REGISTRY_ID_HELP = _l(
    "Enter the registry's id: VCS, GLD, ACR, CAR or ART followed by its number, e.g. VCS1234."
)

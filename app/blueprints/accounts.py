"""Accounts: register, sign in and out; the user's own community projects."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_url

from app.accounts import community, login_limit, sessions
from app.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    ProjectForm,
    RegisterForm,
    stage_name,
)
from app.accounts.next_url import safe_next
from app.accounts.users import (
    AccountError,
    authenticate,
    change_password,
    email_taken,
    make_admin,
    normalise_email,
    password_problem,
    register_user,
)
from app.changes.follows import visit_account
from app.extensions import limiter
from app.i18n import chosen_language
from app.models import DIGEST_FREQUENCIES
from app.project_sections import project_section

bp = Blueprint("accounts", __name__)
bp.add_app_template_global(stage_name)

INLINE_TARGET = "community-edit"


def _vary(response):
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


@bp.record_once
def _send_htmx_requests_to_sign_in(state) -> None:
    state.app.login_manager.unauthorized_callback = _sign_in_first


def _sign_in_first():
    """A signed-out request to a page that needs an account goes to sign in, and back after.

    A plain request comes back to the URL it asked for. An HTMX request asked for a fragment
    (the inline edit form, a row's delete), which is no page to return to: the whole browser
    window goes to sign in (HX-Redirect), and comes back to the page the user was on.
    """
    flash(_("Please sign in to continue."), "info")
    if not request.htmx or request.htmx.boosted:
        return redirect(login_url("accounts.login", next_url=request.url))
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = safe_next(current.path + (f"?{current.query}" if current.query else ""))
    response = make_response("", 401)
    response.headers["HX-Redirect"] = url_for("accounts.login", next=back)
    return response


def _after_sign_in():
    return redirect(safe_next(request.args.get("next")) or url_for("accounts.my_projects"))


# Registering and signing in ------------------------------------------------------------


@bp.route("/auth/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.my_projects"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register_user(form.email.data, form.password.data, locale=chosen_language())
        except AccountError as error:  # taken between the check and the insert
            form.email.errors = [str(error)]
        else:
            sessions.sign_in(user)
            flash(_("Welcome to CarbonScope. Your account is ready."), "success")
            return _after_sign_in()
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form, next=_next_arg()), status


def _next_arg() -> str | None:
    return safe_next(request.args.get("next"))


@bp.post("/auth/check-email")
@limiter.limit(
    lambda: current_app.config["CHECK_EMAIL_RATE_LIMIT"],
    key_func=login_limit.client_address,
    on_breach=lambda limit: _too_many_checks(),
)
def check_email():
    """The email field's message as the user types: valid, and not yet registered?"""
    try:
        email = normalise_email(request.form.get("email"))
    except AccountError as error:
        return _field_message("email", str(error), ok=False)
    if email_taken(email):
        return _field_message("email", _("An account with this email already exists."), ok=False)
    return _field_message("email", _("This email is free to use."), ok=True)


@bp.post("/auth/check-password")
def check_password():
    """The password field's message as the user types; the same rule as on submit."""
    problem = password_problem(request.form.get("password"), request.form.get("email"))
    if problem:
        return _field_message("password", problem, ok=False)
    return _field_message("password", _("Good: that password will do."), ok=True)


def _too_many_checks():
    message = _("Too many checks from here: the address is checked when you submit the form.")
    return make_response(_field_message("email", message, ok=False), 429)


def _field_message(field: str, message: str, ok: bool):
    return render_template("accounts/_field_message.html", field=field, message=message, ok=ok)


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(
    login_limit.per_address,
    key_func=login_limit.client_address,
    methods=["POST"],
    deduct_when=login_limit.failed,
    on_breach=login_limit.locked_out_page,
)
@limiter.limit(
    login_limit.per_account_and_address,
    key_func=login_limit.account_and_address,
    methods=["POST"],
    deduct_when=login_limit.failed,
    on_breach=login_limit.locked_out_page,
)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return _after_sign_in()
    form = LoginForm()
    status = 200
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data.strip().lower(), form.password.data)
        if user is None:
            error, status = _("That email and password don't match."), 401
        else:
            sessions.sign_in(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return _after_sign_in()
    elif form.is_submitted():
        status = 422
    return render_template("accounts/login.html", form=form, error=error, next=_next_arg()), status


@bp.post("/auth/logout")
def logout():
    """Signs out everywhere: a copy of this session's cookies is worth nothing afterwards."""
    if current_user.is_authenticated:
        sessions.sign_out(current_user)
    flash(_("You are signed out."), "info")
    return redirect(url_for("insights.home"))


# The account page: password and sessions -------------------------------------


@bp.get("/account")
@login_required
def account():
    return _account_page(ChangePasswordForm(current_user.email))


def _account_page(form: ChangePasswordForm, status: int = 200):
    """The account page: what changed in what the user follows, then password and sessions."""
    news = visit_account(current_user.id)
    page = render_template(
        "accounts/account.html", form=form, news=news, frequencies=DIGEST_FREQUENCIES
    )
    return page, status


@bp.post("/account/password")
@login_required
def password():
    """A new password ends every other session; this device stays signed in."""
    form = ChangePasswordForm(current_user.email)
    if form.validate_on_submit():
        if authenticate(current_user.email, form.current_password.data) is None:
            form.current_password.errors = [_("That is not your current password.")]
        else:
            user = current_user._get_current_object()
            change_password(user, form.new_password.data)
            sessions.end_all_sessions(user)
            sessions.sign_in(user)
            flash(_("Your password is changed. Every other device is signed out."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(form, 422)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    sessions.sign_out(current_user)
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("accounts.login"))


# The user's community projects ------------------------------------------------


@bp.get("/account/projects")
@login_required
def my_projects():
    projects = community.projects_of(current_user)
    return render_template("accounts/my_projects.html", projects=projects)


def _project_form(project=None) -> ProjectForm:
    form = ProjectForm(obj=project)
    form.set_country_choices(community.catalogue_values("country"))
    return form


def _form_context(form: ProjectForm) -> dict:
    return {
        "form": form,
        "scopes": community.catalogue_values("scope"),
        "project_types": community.catalogue_values("project_type"),
    }


@bp.route("/account/projects/new", methods=["GET", "POST"])
@login_required
def new_project():
    form = _project_form()
    if form.validate_on_submit():
        project = community.create_project(current_user, form.project_fields())
        flash(
            _(
                "%(name)s is saved as %(project_id)s.",
                name=project.name,
                project_id=project.project_id,
            ),
            "success",
        )
        return redirect(url_for("accounts.my_projects"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/project_form.html", project=None, **_form_context(form)), (
        status
    )


@bp.route("/account/projects/<project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_project(project_id: str):
    """The edit form: a full page, or the inline form in the project page's section."""
    project = community.project_for_change(project_id, current_user)
    inline = request.htmx and request.htmx.target == INLINE_TARGET
    form = _project_form(project)
    saved = False
    if form.validate_on_submit():
        community.update_project(project, form.project_fields())
        if not inline:
            flash(_("%(name)s is saved.", name=project.name), "success")
            return redirect(url_for("accounts.my_projects"))
        saved = True
    status = 422 if form.is_submitted() and not saved else 200
    if saved:
        html = _section_html(project, saved=True)
    elif inline:
        html = render_template(
            "accounts/_community_edit_form.html", project=project, **_form_context(form)
        )
    else:
        html = render_template("accounts/project_form.html", project=project, **_form_context(form))
    response = make_response(html, status)
    if saved:
        response.headers["HX-Trigger"] = "communityProjectSaved"
    return _vary(response)


@bp.get("/account/projects/<project_id>/inline")
@login_required
def project_section_fragment(project_id: str):
    """The project page's edit section again (after "Cancel")."""
    project = community.project_for_change(project_id, current_user)
    return _vary(make_response(_section_html(project)))


@bp.route("/account/projects/<project_id>/delete", methods=["GET", "POST"])
@login_required
def delete_project(project_id: str):
    """GET asks (for browsers without JavaScript); POST deletes."""
    project = community.project_for_change(project_id, current_user)
    if request.method == "GET":
        return render_template("accounts/confirm_delete.html", project=project)
    name = project.name
    community.delete_project(project)
    if request.htmx and (request.htmx.target or "").startswith("project-row-"):
        # The row is replaced by nothing: it disappears in place.
        return _vary(make_response("", 200))
    flash(_("%(name)s is deleted.", name=name), "success")
    return redirect(url_for("accounts.my_projects"))


@bp.get("/account/methodologies")
@login_required
def methodology_options():
    """<option>s for the methodology field's <datalist>, matching what was typed."""
    suggestions = community.suggest_methodologies(request.args.get("methodology"))
    return render_template("accounts/_methodology_options.html", methodologies=suggestions)


# The project page's section ---------------------------------------------------


def _section_html(project, saved: bool = False) -> str:
    return render_template("accounts/_community_edit.html", project=project, saved=saved)


@project_section(INLINE_TARGET, order=20)
def community_edit_section(project) -> str | None:
    """For the owner (or an admin) of a community project: its details and an Edit button."""
    if not community.can_edit(current_user, project):
        return None
    return _section_html(project)


# Command line --------------------------------------------------------------


@click.command("create-admin")
@click.argument("email")
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the new account's password from this file (first line).",
)
def create_admin_command(email: str, password_file: Path | None) -> None:
    """Create an admin account (or make an existing account admin)."""
    try:
        email = normalise_email(email)
    except AccountError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error
    password = None
    if not email_taken(email):
        if password_file is not None:
            lines = password_file.read_text().splitlines()
            password = lines[0] if lines else ""
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = password_problem(password, email)
        if problem:
            raise click.ClickException(problem)
    try:
        user, created = make_admin(email, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{'Created admin' if created else 'Made admin'}: {user.email}")

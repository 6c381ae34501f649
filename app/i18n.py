"""The interface's language: English or Korean, chosen by the visitor.

The choice is the account's when signed in, else the `lang` cookie the header's switch sets,
else the browser's Accept-Language, else English. The data's own text (project names and
descriptions) is never translated; what the product itself says is (templates, messages,
vocabulary labels), through Flask-Babel's catalogues in app/translations.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel, get_locale, get_translations, refresh
from flask_login import current_user

LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def chosen_language() -> str | None:
    """The visitor's own choice, if any: the account's, else the cookie's."""
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    return cookie if cookie in LANGUAGES else None


def select_language() -> str:
    """Flask-Babel's locale selector: the choice, else Accept-Language, else English."""
    if not request:
        return DEFAULT_LANGUAGE
    return (
        chosen_language()
        or request.accept_languages.best_match(list(LANGUAGES))
        or DEFAULT_LANGUAGE
    )


def current_language() -> str:
    """'en' or 'ko': the language this request answers in (part of every rendered-HTML
    cache key, so a fragment cached in one language never serves the other)."""
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def request_translations():
    """The catalogue of the locale in force, remembered for as long as that locale is.

    Flask-Babel looks the catalogue up anew for every string (three lookups in `g` and a
    Locale turned into text); a search page says ~400 strings, which cost it ~5 ms.
    `force_locale` (emails) swaps the Locale object, so the identity check follows it."""
    babel_context = getattr(g, "_flask_babel", None)
    locale = getattr(babel_context, "babel_locale", None)
    if locale is None:
        return get_translations()
    remembered = getattr(babel_context, "carbonscope_translations", None)
    if remembered is None or remembered[0] is not locale:
        remembered = (locale, get_translations())
        babel_context.carbonscope_translations = remembered
    return remembered[1]


def _install_template_gettext(app: Flask) -> None:
    """Templates' _() and ngettext() through request_translations (Jinja formats them)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: request_translations().ugettext(string),
        ngettext=lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, string: request_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: request_translations().unpgettext(
            context, singular, plural, n
        ),
    )


def _vary_on_language(response):
    """Responses depend on the cookie and Accept-Language: shared caches must know."""
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    babel.init_app(app, locale_selector=select_language)
    # Flask-Babel remembers the locale in `g`, which outlives a request when an app context
    # was already pushed (the CLI, tests): every request chooses afresh.
    app.before_request(refresh)
    _install_template_gettext(app)
    app.after_request(_vary_on_language)
    app.add_template_global(current_language)
    app.add_template_global(LANGUAGES, "LANGUAGES")

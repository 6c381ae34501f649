"""Sections that features add to a project's page, without the page knowing them.

The catalogue renders a project page; proposals add its support and discussion,
accounts its inline editing, news its mentions. Each registers a function that
returns the section's HTML (or None when it has nothing to show for that project).
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

SectionRenderer = Callable[[object], str | None]

_sections: list[tuple[int, str, SectionRenderer]] = []


def project_section(name: str, order: int = 50) -> Callable[[SectionRenderer], SectionRenderer]:
    """Register ``render(project) -> html | None`` as a section of every project page."""

    def register(render: SectionRenderer) -> SectionRenderer:
        _sections[:] = [entry for entry in _sections if entry[1] != name]
        _sections.append((order, name, render))
        _sections.sort(key=lambda entry: (entry[0], entry[1]))
        return render

    return register


def render_project_sections(project) -> list[Markup]:
    """The HTML of every registered section that has something to show, in order."""
    rendered = (render(project) for _, _, render in _sections)
    # Renderers return render_template() output, which Jinja has already escaped.
    return [Markup(html) for html in rendered if html]  # noqa: S704

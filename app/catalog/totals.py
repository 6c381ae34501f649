"""A project's totals as users see them: never a negative remaining.

Where a source reports more retired than issued (the ETL sets ``project.flags`` to say the
source itself says so), pages, the API and the CSV show that fact instead of a negative
number.
"""

from __future__ import annotations

# The project.flags key the ETL sets where the source itself reports retired above issued.
RETIRED_EXCEEDS_ISSUED = "retired_exceeds_issued"
RETIRED_EXCEEDS_ISSUED_TEXT = "the registry reports more retired than issued"


def retired_exceeds_issued(project) -> bool:
    """Whether the project (a model or a catalogue row) has more retired than issued."""
    flags = getattr(project, "flags", None) or {}
    return bool(flags.get(RETIRED_EXCEEDS_ISSUED)) or (project.retired or 0) > (project.issued or 0)


def remaining_credits(project) -> int | None:
    """Issued minus retired; None where the source reports more retired than issued."""
    if retired_exceeds_issued(project):
        return None
    return (project.issued or 0) - (project.retired or 0)

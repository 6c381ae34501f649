"""Retirement reasons, categorised: one category per retirement or cancellation record.

Pure, no Flask. ``reason_category`` reads a record's kind and its raw reason fields (kept
as they are beside the category) and answers one of ``REASON_CATEGORIES``. The mapping,
registry by registry, is documented in docs/DATA.md ("Retirement reasons").
"""

from __future__ import annotations

import re

import pandas as pd

VOLUNTARY = "voluntary"
CORSIA = "corsia"
COMPLIANCE = "compliance"
OTHER = "other"
UNKNOWN = "unknown"
REASON_CATEGORIES = (VOLUNTARY, CORSIA, COMPLIANCE, OTHER, UNKNOWN)


def N_(label: str) -> str:
    """Marks a label for the interface's catalogue (pybabel extracts N_); the web app shows
    it translated (app/credits/query.py: reason_label), this module stays free of Flask."""
    return label


REASON_LABELS = {
    VOLUNTARY: N_("Voluntary offsetting"),
    CORSIA: N_("CORSIA"),
    COMPLIANCE: N_("Compliance conversion (ARB, Washington)"),
    OTHER: N_("Other"),
    UNKNOWN: N_("Unknown"),
}
CATEGORISED_KINDS = ("retirement", "cancellation")

# Checked in this order: a CORSIA or compliance word anywhere decides before a voluntary one.
_CORSIA = re.compile(r"\bcorsia\b|\baeroplane operator\b|\bairplane operator\b", re.I)
_COMPLIANCE = re.compile(
    r"\barb\b|\bcarb\b|air resources board|cap[- ]and[- ]trade|\bwa eco\b|"
    r"\becology\b|washington|\bcompliance\b|convert(?:ed)? to",
    re.I,
)
# The registries' own voluntary reasons (Verra, ACR, CAR, ART, Gold Standard's use case).
_VOLUNTARY = re.compile(
    r"environmental benefit|on behalf of third party|retirement for person or organi[sz]ation|"
    r"corporate emissions inventory|climate pledge|\bvoluntary\b|offset|carbon neutral|"
    r"net[- ]zero|compensat|emissions? reduction goal|\bndc\b",
    re.I,
)


def reason_category(
    kind: str | None, reason: str | None, cancellation_reason: str | None = None
) -> str | None:
    """The category of a retirement or cancellation record; None for other kinds."""
    if kind not in CATEGORISED_KINDS:
        return None
    texts = [text for text in (reason, cancellation_reason) if isinstance(text, str)]
    joined = " | ".join(text.strip() for text in texts if text.strip())
    if not joined:
        return UNKNOWN
    if _CORSIA.search(joined):
        return CORSIA
    if _COMPLIANCE.search(joined):
        return COMPLIANCE
    if _VOLUNTARY.search(joined):
        return VOLUNTARY
    return OTHER


def fill_reason_categories(records: pd.DataFrame) -> pd.DataFrame:
    """Records (``kind``, ``reason``, ``cancellation_reason``) with their ``reason_category``."""
    categories = [
        reason_category(kind, reason, cancellation)
        for kind, reason, cancellation in zip(
            records["kind"], records["reason"], records["cancellation_reason"], strict=True
        )
    ]
    return records.assign(reason_category=pd.Series(categories, index=records.index, dtype=object))

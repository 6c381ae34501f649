"""Server-rendered SVG charts: bar charts by year, stacked or grouped, and ranked bars.

Accessible and readable without colour: the SVG has a title and a description,
every bar its own <title> (the tooltip) with label, series and value, series
differ by pattern as well as colour, and pages show the numbers in a table too.
No inline styles (strict CSP): colours come from presentation attributes and CSS.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import Markup, escape

# Colour, and a pattern for the second and later series, per position.
PALETTE = ("#1f6f4a", "#c9772b", "#3b6fb6", "#8a5cb8", "#b3261e", "#5a8f29", "#6b7a73")
PATTERNS = (None, "hatch", "dots", "cross", "hatch", "dots", "cross")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def format_value(value: float) -> str:
    if value is None:
        return "0"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def nice_ticks(maximum: float, count: int = 4) -> list[float]:
    """Round tick values from 0 up to at least ``maximum``."""
    if maximum <= 0:
        return [0, 1]
    raw_step = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    top = math.ceil(maximum / step) * step
    return [round(i * step, 10) for i in range(round(top / step) + 1)]


def short_number(value: float) -> str:
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            scaled = value / threshold
            return f"{scaled:.0f}{suffix}" if scaled.is_integer() else f"{scaled:.1f}{suffix}"
    return f"{value:g}"


def _defs(chart_id: str) -> str:
    patterns = {
        "hatch": '<path d="M0,6 L6,0" stroke="#fff" stroke-width="1.5"/>',
        "dots": '<circle cx="3" cy="3" r="1.2" fill="#fff"/>',
        "cross": '<path d="M0,0 L6,6 M6,0 L0,6" stroke="#fff" stroke-width="1"/>',
    }
    parts = []
    for index, colour in enumerate(PALETTE):
        pattern = PATTERNS[index]
        if pattern:
            parts.append(
                f'<pattern id="{chart_id}-p{index}" width="6" height="6" '
                f'patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="{colour}"/>'
                f"{patterns[pattern]}</pattern>"
            )
    return f"<defs>{''.join(parts)}</defs>"


def _fill(chart_id: str, index: int) -> str:
    index %= len(PALETTE)
    return f"url(#{chart_id}-p{index})" if PATTERNS[index] else PALETTE[index]


def _legend(chart_id: str, series: Sequence[Series], x: float, y: float) -> str:
    items, offset = [], 0.0
    for index, item in enumerate(series):
        items.append(
            f'<rect x="{x + offset:.1f}" y="{y - 9}" width="12" height="12" '
            f'fill="{_fill(chart_id, index)}"/>'
            f'<text x="{x + offset + 16:.1f}" y="{y + 1}">{escape(item.name)}</text>'
        )
        offset += 28 + 12 * len(item.name)  # room for the label at the larger phone size
    return f'<g class="legend">{"".join(items)}</g>'


def _chart_description(labels: Sequence[str], series: Sequence[Series]) -> str:
    return gettext(
        "%(count)s groups; series: %(series)s. The numbers are also in the table.",
        count=len(labels),
        series=", ".join(str(s.name) for s in series),
    )


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str = "chart",
    stacked: bool = False,
    width: int = 720,
    height: int = 260,
    value_format: Callable[[float], str] = format_value,
    tick_format: Callable[[float], str] = short_number,
    scale_to: float = 0,
) -> Markup:
    """Vertical bars, one group per label (a year, say), one bar or segment per series.

    ``scale_to`` raises the axis to at least that value: charts drawn side by side with the
    same ``scale_to`` (and labels) share one axis.
    """
    margin_left, margin_right, margin_top, margin_bottom = 56, 12, 30, 34
    plot_w = width - margin_left - margin_right
    plot_h = height - margin_top - margin_bottom
    if stacked:
        totals = [sum(max(s.values[i] or 0, 0) for s in series) for i in range(len(labels))]
    else:
        totals = [
            max((max(s.values[i] or 0, 0) for s in series), default=0) for i in range(len(labels))
        ]
    ticks = nice_ticks(max([*totals, scale_to]))
    top = ticks[-1] or 1

    def y_of(value: float) -> float:
        return margin_top + plot_h - (value / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" class="bar-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_chart_description(labels, series))}</desc>',
        _defs(chart_id),
        '<g class="grid">',
    ]
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{margin_left}" x2="{width - margin_right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e8eeea"/>'
            f'<text x="{margin_left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(tick_format(tick))}</text>"
        )
    parts.append("</g>")

    group_w = plot_w / max(len(labels), 1)
    bar_area = group_w * 0.8
    # A label every ~56 units: readable when a phone draws the chart at half its width.
    label_every = max(1, math.ceil(len(labels) / (plot_w / 56)))
    for i, label in enumerate(labels):
        x0 = margin_left + i * group_w + (group_w - bar_area) / 2
        parts.append(f'<g class="bar-group" data-label="{escape(label)}">')
        base = 0.0
        # Bars with a value sit centred in their group, so a lone bar stands over its label.
        shown_series = [j for j, s in enumerate(series) if (s.values[i] or 0) > 0] or [0]
        slot_w = bar_area / len(series)
        left = x0 + (bar_area - slot_w * len(shown_series)) / 2
        for index, item in enumerate(series):
            value = item.values[i] or 0
            shown = max(value, 0)
            tooltip = f"{label} — {item.name}: {value_format(value)}"
            if stacked:
                x, w = x0, bar_area
                y1, y2 = y_of(base + shown), y_of(base)
                base += shown
            else:
                w = slot_w
                position = shown_series.index(index) if index in shown_series else 0
                x = left + position * w
                y1, y2 = y_of(shown), y_of(0)
            parts.append(
                f'<rect x="{x:.1f}" y="{y1:.1f}" width="{max(w - 1, 1):.1f}" '
                f'height="{max(y2 - y1, 0):.1f}" fill="{_fill(chart_id, index)}" '
                f'data-series="{escape(item.name)}" data-value="{value}">'
                f"<title>{escape(tooltip)}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x0 + bar_area / 2:.1f}" y="{height - margin_bottom + 14}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
        parts.append("</g>")

    axis_y = margin_top + plot_h
    parts.append(
        f'<g class="axis" stroke="#9aa8a1"><line x1="{margin_left}" x2="{width - margin_right}" '
        f'y1="{axis_y}" y2="{axis_y}"/><line x1="{margin_left}" x2="{margin_left}" '
        f'y1="{margin_top}" y2="{axis_y}"/></g>'
    )
    parts.append(_legend(chart_id, series, margin_left, 14))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  every text above went through escape()


def ranked_bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    chart_id: str = "ranked",
    series_name: str = "",
    width: int = 720,
    bar_height: int = 20,
    value_format: Callable[[float], str] = format_value,
) -> Markup:
    """Horizontal bars, largest first as given: top countries, credits by scope."""
    label_w, value_w, gap = 170, 90, 6
    height = 10 + len(labels) * (bar_height + gap)
    plot_w = width - label_w - value_w
    top = max((v or 0 for v in values), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" id="{chart_id}" class="ranked-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * (bar_height + gap)
        w = max((max(value or 0, 0) / top) * plot_w, 1)
        name = f"{series_name}: " if series_name else ""
        parts.append(
            f'<g class="bar-group" data-label="{escape(label)}">'
            f'<text x="{label_w - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
            f"{escape(_truncate(label, 26))}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" '
            f'fill="{PALETTE[0]}" data-value="{value}">'
            f"<title>{escape(f'{label} — {name}{value_format(value)}')}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}">'
            f"{escape(value_format(value))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  every text above went through escape()


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"

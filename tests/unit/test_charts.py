"""The SVG charts: one group per label, a tooltip per bar, everything escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.charts import Series, bar_chart, nice_ticks, ranked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bar_chart_has_one_group_per_label_and_a_tooltip_per_bar():
    svg = parse(
        bar_chart(
            ["2019", "2020"],
            [Series("Issuance", [10, 20]), Series("Retirement", [5, 0])],
            title="Credits by year",
        )
    )
    groups = svg.findall(f".//{SVG}g[@class='bar-group']")
    assert [g.get("data-label") for g in groups] == ["2019", "2020"]
    tooltips = [rect.find(f"{SVG}title").text for rect in groups[0].findall(f"{SVG}rect")]
    assert tooltips == ["2019 — Issuance: 10", "2019 — Retirement: 5"]
    assert svg.find(f"{SVG}title").text == "Credits by year"


def test_stacked_bars_sit_on_top_of_each_other():
    svg = parse(
        bar_chart(["2020"], [Series("A", [30]), Series("B", [10])], title="t", stacked=True)
    )
    lower, upper = svg.findall(f".//{SVG}g[@class='bar-group']/{SVG}rect")
    assert float(upper.get("y")) + float(upper.get("height")) == float(lower.get("y"))


def test_labels_and_names_are_escaped():
    markup = str(ranked_bar_chart(["<script>x</script>"], [3], title="<b>t</b>"))
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup


def test_ticks_cover_the_maximum_with_round_steps():
    assert nice_ticks(3500) == [0, 1000, 2000, 3000, 4000]
    assert nice_ticks(0) == [0, 1]


def test_tick_labels_take_their_own_format():
    svg = bar_chart(
        ["2020"], [Series("Ratio", [40])], title="Ratio", tick_format=lambda t: f"{t:g}%"
    )
    assert ">40%</text>" in svg
    assert ">0%</text>" in svg

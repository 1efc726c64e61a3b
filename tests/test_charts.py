"""The charts package draws valid, accessible SVG from plain numbers, without Django."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from amicable.charts import Series, bar_chart, line_chart
from amicable.charts.svg import nice_ticks

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def values_of(root: ET.Element, tag: str) -> list[str]:
    return [mark.get("data-value") for mark in root.iter(f"{{{NS['svg']}}}{tag}") if mark.get("data-value")]


def test_a_bar_chart_is_an_image_named_by_its_title_and_described_with_every_number():
    svg = bar_chart("paid", "Payments per week", ["3 Mar", "10 Mar"], [Series("Payments", [4, 7])])
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "paid-title paid-desc"
    assert root.find("svg:title", NS).text == "Payments per week"
    assert root.find("svg:title", NS).get("id") == "paid-title"
    assert root.find("svg:desc", NS).text == "Payments: 3 Mar 4, 10 Mar 7."
    assert values_of(root, "rect") == ["4", "7"]


def test_a_taller_bar_for_a_bigger_number_and_none_below_the_axis():
    root = parse(bar_chart("c", "Counts", ["a", "b", "c"], [Series("n", [0, 5, 10])]))
    bars = [r for r in root.iter(f"{{{NS['svg']}}}rect") if r.get("data-value")]
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] == 0 and 0 < heights[1] < heights[2]
    assert heights[2] == pytest.approx(2 * heights[1])
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 2) for b in bars}
    assert len(bottoms) == 1  # every bar stands on the zero line


def test_several_series_get_a_legend_and_their_own_colour_classes():
    root = parse(
        bar_chart("p", "Promises", ["w1", "w2"], [Series("Kept", [3, 1]), Series("Broken", [0, 2], tone=1)])
    )
    legend = root.find("svg:g[@class='chart-legend']", NS)
    assert [t.text for t in legend.iter(f"{{{NS['svg']}}}text")] == ["Kept", "Broken"]
    classes = [r.get("class") for r in root.iter(f"{{{NS['svg']}}}rect") if r.get("data-value")]
    assert classes == ["chart-bar chart-s0", "chart-bar chart-s1"] * 2
    assert root.find("svg:desc", NS).text == "Kept: w1 3, w2 1. Broken: w1 0, w2 2."


def test_a_line_chart_has_a_dot_per_value_and_dashes_that_tell_lines_apart():
    root = parse(
        line_chart(
            "stops",
            "Opt-outs and complaints",
            ["w1", "w2", "w3"],
            [Series("Opt-outs", [1, 0, 4]), Series("Complaints", [0, 2, 1])],
            summary="Per week.",
        )
    )
    lines = list(root.iter(f"{{{NS['svg']}}}polyline"))
    assert len(lines) == 2 and len(lines[0].get("points").split()) == 3
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")
    assert values_of(root, "circle") == ["1", "0", "4", "0", "2", "1"]
    assert root.find("svg:desc", NS).text.startswith("Per week. Opt-outs: w1 1, w2 0, w3 4.")


def test_amounts_are_written_by_the_given_format_and_text_is_escaped():
    svg = bar_chart(
        "usd",
        "Recovered <USD> & more",
        ["Week 1"],
        [Series("Paid", [Decimal("1234.50")])],
        fmt=lambda v: f"${Decimal(str(v)):,.2f}",
    )
    root = parse(svg)
    assert root.find("svg:title", NS).text == "Recovered <USD> & more"
    assert "<USD>" not in svg
    assert "$1,234.50" in root.find("svg:desc", NS).text
    ticks = [t.text for t in root.find("svg:g[@class='chart-axis']", NS).iter(f"{{{NS['svg']}}}text")]
    assert ticks[0] == "$0.00" and ticks[-1] == "$1,500.00"  # the axis reaches past the biggest value


def test_no_style_attributes_anywhere():
    for svg in (
        bar_chart("a", "A", ["x"], [Series("s", [1]), Series("t", [2])]),
        line_chart("b", "B", ["x", "y"], [Series("s", [1, 2])]),
    ):
        assert all(el.get("style") is None for el in parse(svg).iter())


def test_ticks_are_round_and_reach_the_top():
    assert nice_ticks(0, 7, whole=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 0, whole=True) == [0, 1]
    assert nice_ticks(0, 2, whole=True) == [0, 1, 2]
    assert nice_ticks(0, 0.8) == [0, 0.2, 0.4, 0.6, 0.8]
    assert nice_ticks(0, 1200.5)[-1] >= 1200.5


def test_all_zeros_still_draws_an_axis():
    root = parse(bar_chart("z", "Nothing yet", ["a", "b"], [Series("n", [0, 0])]))
    assert values_of(root, "rect") == ["0", "0"]


@pytest.mark.parametrize(
    ("labels", "series", "message"),
    [
        (["a", "b"], [Series("n", [1])], "1 values for 2 labels"),
        (["a"], [], "at least one series"),
        (["a"], [Series("n", ["7"])], "'7' is not a number"),
        (["a"], [Series("n", [float("nan")])], "not a finite number"),
    ],
)
def test_bad_input_is_refused_with_a_reason(labels, series, message):
    with pytest.raises(ValueError, match=message):
        bar_chart("bad", "Bad", labels, series)

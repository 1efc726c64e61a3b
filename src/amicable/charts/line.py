"""Line charts: one line per series over the labels (weeks, usually), with a dot at each value."""

from __future__ import annotations

from collections.abc import Sequence

from . import svg
from .svg import Format, Series, num


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    summary: str = "",
    fmt: Format = svg.plain,
    width: int = 640,
    height: int = 260,
) -> str:
    """An <svg> line chart; the arguments are bar_chart's. Lines differ by dash as well as colour."""
    svg.check(labels, series)
    f = svg.frame(width, height, series, fmt)
    step = f.plot_width / max(len(labels), 1)
    centres = [f.left + step * (i + 0.5) for i in range(len(labels))]
    body = [*svg.axis(f, fmt), *svg.legend(f, series, "line"), '<g class="chart-marks">']
    for j, one in enumerate(series):
        cls = f"chart-s{svg.tone(one, j)}"
        points = " ".join(f"{num(x)},{num(f.y(float(v)))}" for x, v in zip(centres, one.values, strict=True))
        body.append(f'<polyline class="chart-line {cls}" points="{points}"{svg.dash(svg.tone(one, j))}/>')
        for x, label, value in zip(centres, labels, one.values, strict=True):
            body.append(
                f'<circle class="chart-dot {cls}" cx="{num(x)}" cy="{num(f.y(float(value)))}" r="3.5" '
                f'data-value="{svg.attr(value)}">{svg.tip(label, one, fmt(value))}</circle>'
            )
    body.append("</g>")
    body += svg.category_labels(f, labels, centres)
    return svg.document(chart_id, "line", f, title, svg.describe(labels, series, fmt, summary), body)

"""Bar charts: one bar per label, or a group of bars per label when there are several series."""

from __future__ import annotations

from collections.abc import Sequence

from . import svg
from .svg import Format, Series, num

GROUP_PADDING = 0.2  # of each label's width, left empty between groups
GAP = 2  # between the bars of a group: each bar stands against white, not against its neighbour


def bar_chart(
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
    """An <svg> bar chart. `chart_id` must be unique in the page (it ids the title and desc);
    `fmt` writes a value as people read it (a count, an amount with its currency); `summary` opens
    the description, which then gives every value."""
    svg.check(labels, series)
    f = svg.frame(width, height, series, fmt)
    group = f.plot_width / max(len(labels), 1)
    bar = max((group * (1 - GROUP_PADDING) - GAP * (len(series) - 1)) / len(series), 1.0)
    zero = f.y(max(f.ticks[0], 0.0))
    body = [*svg.axis(f, fmt), *svg.legend(f, series, "bar"), '<g class="chart-marks">']
    centres = []
    for i, label in enumerate(labels):
        start = f.left + group * i + group * GROUP_PADDING / 2
        centres.append(f.left + group * (i + 0.5))
        for j, one in enumerate(series):
            value = one.values[i]
            y = f.y(float(value))
            top, bottom = min(y, zero), max(y, zero)
            body.append(
                f'<rect class="chart-bar chart-s{svg.tone(one, j)}" x="{num(start + j * (bar + GAP))}" '
                f'y="{num(top)}" width="{num(bar)}" height="{num(bottom - top)}" '
                f'data-value="{svg.attr(value)}">{svg.tip(label, one, fmt(value))}</rect>'
            )
    body.append("</g>")
    body += svg.category_labels(f, labels, centres)
    return svg.document(chart_id, "bar", f, title, svg.describe(labels, series, fmt, summary), body)

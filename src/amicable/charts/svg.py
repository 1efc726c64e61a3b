"""What the bar and line charts share: the series, the value axis with round ticks, escaping, and
the accessible frame (title, desc, legend) around the marks."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

Number = int | float | Decimal
Format = Callable[[Number], str]

TONES = 7  # chart-s0 ... chart-s6 in site.css
CHAR_WIDTH = 6.5  # roughly, at the 12px the axis labels are drawn in: for the left margin
TOP, BOTTOM, RIGHT = 12, 28, 12
LEGEND_ROW = 22


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of numbers, one per label. `tone` picks the colour class (chart-s<tone>), so the
    same thing keeps its colour from chart to chart; by default the series' position."""

    name: str
    values: Sequence[Number]
    tone: int | None = None


def plain(value: Number) -> str:
    """12, 3.5, 1234.5: a number without trailing zeros (the default when no formatter is given)."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
    else:
        text = f"{value:g}" if isinstance(value, float) else str(value)
    return text


def attr(value: object) -> str:
    return escape(str(value), quote=True)


def text(value: object) -> str:
    return escape(str(value), quote=False)


def num(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def check(labels: Sequence[str], series: Sequence[Series]) -> None:
    if not series:
        raise ValueError("a chart needs at least one series")
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"series {one.name!r} has {len(one.values)} values for {len(labels)} labels")
        for value in one.values:
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                raise ValueError(f"series {one.name!r}: {value!r} is not a number")
            if not math.isfinite(float(value)):
                raise ValueError(f"series {one.name!r}: {value!r} is not a finite number")


def nice_ticks(low: float, high: float, count: int = 4, *, whole: bool = False) -> list[float]:
    """Round tick values from `low` (at most 0) to at least `high`: steps of 1, 2 or 5 times a power
    of ten, about `count` of them; with `whole`, steps of at least 1 (counts have no halves). A chart
    of nothing but zeros still gets an axis from 0 to 1."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(step, 1.0)
    ticks = [round(math.floor(low / step) * step, 10)]
    while ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


@dataclass(frozen=True, slots=True)
class Frame:
    """Where the plot area sits inside the picture, and how values map onto it."""

    width: int
    height: int
    left: float
    top: float
    plot_width: float
    plot_height: float
    ticks: list[float]

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.top + self.plot_height * (1 - (value - low) / (high - low))


def frame(width: int, height: int, series: Sequence[Series], fmt: Format) -> Frame:
    values = [float(v) for one in series for v in one.values] or [0.0]
    whole = all(isinstance(v, int) for one in series for v in one.values)
    ticks = nice_ticks(min(values), max(values), whole=whole)
    widest = max(len(fmt(tick_value(t))) for t in ticks)
    left = 10 + widest * CHAR_WIDTH
    legend = LEGEND_ROW if len(series) > 1 else 0
    top = TOP + legend
    return Frame(width, height, left, top, width - left - RIGHT, height - top - BOTTOM, ticks)


def tick_value(tick: float) -> Number:
    return int(tick) if float(tick).is_integer() else tick


def tone(series: Series, index: int) -> int:
    return (series.tone if series.tone is not None else index) % TONES


def axis(f: Frame, fmt: Format) -> list[str]:
    """Grid lines and tick labels of the value axis, and the base line."""
    parts = ['<g class="chart-axis">']
    for tick in f.ticks:
        y = num(f.y(tick))
        parts.append(
            f'<line class="chart-grid" x1="{num(f.left)}" x2="{num(f.left + f.plot_width)}" '
            f'y1="{y}" y2="{y}"/>'
        )
        parts.append(
            f'<text x="{num(f.left - 6)}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{text(fmt(tick_value(tick)))}</text>"
        )
    base = num(f.y(max(f.ticks[0], 0.0)))
    parts.append(
        f'<line class="chart-base" x1="{num(f.left)}" x2="{num(f.left + f.plot_width)}" '
        f'y1="{base}" y2="{base}"/>'
    )
    parts.append("</g>")
    return parts


def legend(f: Frame, series: Sequence[Series], mark: str) -> list[str]:
    """A swatch and a name per series, along the top; none for a single series (its title names it)."""
    if len(series) < 2:
        return []
    parts = ['<g class="chart-legend">']
    x = f.left
    for index, one in enumerate(series):
        cls = f"chart-s{tone(one, index)}"
        if mark == "line":
            parts.append(
                f'<line class="chart-line {cls}" x1="{num(x)}" x2="{num(x + 18)}" y1="{TOP + 6}" '
                f'y2="{TOP + 6}"{dash(tone(one, index))}/>'
            )
        else:
            parts.append(f'<rect class="chart-bar {cls}" x="{num(x)}" y="{TOP}" width="12" height="12"/>')
        parts.append(
            f'<text x="{num(x + 22)}" y="{TOP + 6}" dominant-baseline="middle">{text(one.name)}</text>'
        )
        x += 22 + len(one.name) * CHAR_WIDTH + 18
    parts.append("</g>")
    return parts


def dash(index: int) -> str:
    """Lines differ by their dashes as well as their colour, for anyone who cannot tell the colours."""
    pattern = ("", "8 4", "2 4", "8 4 2 4", "12 4", "4 4", "1 3")[index % TONES]
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def category_labels(f: Frame, labels: Sequence[str], centres: Sequence[float]) -> list[str]:
    parts = ['<g class="chart-labels">']
    y = num(f.top + f.plot_height + 18)
    for label, x in zip(labels, centres, strict=True):
        parts.append(f'<text x="{num(x)}" y="{y}" text-anchor="middle">{text(label)}</text>')
    parts.append("</g>")
    return parts


def describe(labels: Sequence[str], series: Sequence[Series], fmt: Format, summary: str) -> str:
    """Every number in words, for the <desc>: 'Paid: 3 Mar 4, 10 Mar 7.'"""
    rows = [
        f"{one.name}: " + ", ".join(f"{label} {fmt(v)}" for label, v in zip(labels, one.values, strict=True))
        for one in series
    ]
    return " ".join(filter(None, [summary.strip(), *(f"{row}." for row in rows)]))


def tip(label: str, series: Series, value: str) -> str:
    """The tooltip a mark shows on hover: '3 Mar, Payments: 4'."""
    return f"<title>{text(f'{label}, {series.name}: {value}')}</title>"


def document(
    chart_id: str,
    kind: str,
    f: Frame,
    title: str,
    description: str,
    body: list[str],
) -> str:
    ident = attr(chart_id)
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" data-kind="{kind}" id="{ident}" '
            f'viewBox="0 0 {f.width} {f.height}" width="{f.width}" height="{f.height}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" font-size="12">',
            f'<title id="{ident}-title">{text(title)}</title>',
            f'<desc id="{ident}-desc">{text(description)}</desc>',
            *body,
            "</svg>",
        ]
    )

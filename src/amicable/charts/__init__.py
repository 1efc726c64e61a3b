"""Small accessible SVG charts drawn from plain numbers: bar and line charts for the console's
dashboard. Pure: no Django, no database. Each chart is an <svg role="img"> named by its <title> and
described by a <desc> that reads out every number, so a screen reader hears what the picture shows;
colours come from classes (chart-s0 ... chart-s6 in site.css), never from style attributes, which
the site's Content Security Policy forbids.

    svg = bar_chart("payments", "Payments per week", ["3 Mar", "10 Mar"], [Series("Paid", [4, 7])])
"""

from .bar import bar_chart
from .line import line_chart
from .svg import Series

__all__ = ["Series", "bar_chart", "line_chart"]

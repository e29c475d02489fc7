"""Server-rendered SVG charts (pygal), with no script in them: the Cash
Register's pie of the collection by service (manual 3.4.4)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from mcoms.reports.cash_register import ServiceShare

SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
COLOURS = ("#0b6e4f", "#f2a541", "#2d7dd2", "#c0392b", "#7d5ba6", "#6c757d")


def service_pie(
    shares: Sequence[ServiceShare], *, size: int = 320
) -> SafeString | None:
    """A pie of the amounts per service, labelled (legend below); None when
    there is nothing to draw."""
    if not any(s.amount > 0 for s in shares):
        return None
    style = Style(
        background="transparent",
        plot_background="transparent",
        colors=COLOURS,
        font_family="system-ui, sans-serif",
        legend_font_size=13,
        value_font_size=11,
    )
    chart = pygal.Pie(
        style=style,
        js=[],
        width=size,
        height=size + 20 * len(shares),
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        disable_xml_declaration=True,
        show_legend=True,
        print_values=False,
        margin=4,
    )
    for share in shares:
        chart.add(f"{share.label}: {share.amount}", [float(share.amount)])
    svg = SCRIPT.sub("", chart.render(is_unicode=True))
    return mark_safe(svg)  # pygal escapes the labels; the script is removed

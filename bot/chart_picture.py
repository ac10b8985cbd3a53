"""Draws the picture on a client's card: a PNG of the grades with missed check-ins, alerts
and logged contacts marked (what to show is decided in ``dialogs.client_card``).

Runs in the chart worker process (``bot.chart``), never in the bot's: it imports only
matplotlib (Agg, through its object API: no pyplot, no global figure state) and the plain
``Chart`` it is given, so the bot process never loads matplotlib.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dialogs.card_chart import LABELS, Chart

__all__ = ["DPI", "HEIGHT", "WIDTH", "draw", "warm_up"]

WIDTH, HEIGHT, DPI = 800, 500, 100  # pixels: sharp on a phone, small to send
_FONT = 15
_GRADE, _MISSED, _ALERT, _CONTACT, _LOW = "#1f5fa8", "#6b6b6b", "#c62828", "#2e7d32", "#fde2e1"


def draw(chart: Chart, labels: Mapping[str, str]) -> bytes:
    """The PNG (``WIDTH`` x ``HEIGHT``); ``labels`` are the legend's texts by ``LABELS`` name."""
    from matplotlib import dates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    zone = ZoneInfo(chart.timezone)
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.07, right=0.98, top=0.80, bottom=0.11)

    def at(moments: Sequence[datetime]) -> list[float]:  # matplotlib's days since 1970
        return [float(dates.date2num(m)) for m in moments]  # type: ignore[no-untyped-call]

    margin = (chart.end - chart.start) * 0.03  # a mark made today is not cut in half
    axes.set_xlim(*at([chart.start - margin, chart.end + margin]))
    axes.set_ylim(-0.6, 11.4)
    axes.set_yticks(range(1, 11))
    axes.tick_params(labelsize=_FONT)
    axes.grid(axis="y", color="#e6e6e6")
    axes.set_xticks(at(_days(chart)))  # fixed ticks: a locator costs more than the whole line
    axes.xaxis.set_major_formatter(dates.DateFormatter("%d-%m", tz=zone))  # type: ignore[no-untyped-call]
    if chart.low_grade is not None:
        axes.axhspan(0.5, chart.low_grade + 0.5, color=_LOW, zorder=0)
    for moment in at(chart.alerts):
        axes.axvline(moment, color=_ALERT, linewidth=2.5, zorder=1)
    if chart.alerts:
        axes.scatter(
            at(chart.alerts), [10.8] * len(chart.alerts), marker="v", s=220, color=_ALERT,
            label=labels["alert"], zorder=3,
        )  # fmt: skip
    if chart.grades:
        moments = [moment for moment, _ in chart.grades]
        grades = [grade for _, grade in chart.grades]
        axes.plot(
            at(moments), grades, color=_GRADE, linewidth=3, marker="o", markersize=11,
            label=labels["grade"], zorder=4,
        )  # fmt: skip
    else:
        middle = chart.start + (chart.end - chart.start) / 2
        axes.text(
            at([middle])[0], 5.5, labels["empty"], ha="center", fontsize=_FONT + 3, color=_MISSED
        )
    if chart.missed:
        axes.scatter(
            at(chart.missed), [0] * len(chart.missed), marker="x", s=200, linewidths=3,
            color=_MISSED, label=labels["missed"], zorder=3,
        )  # fmt: skip
    if chart.contacts:
        axes.scatter(
            at(chart.contacts), [10.8] * len(chart.contacts), marker="D", s=130, color=_CONTACT,
            label=labels["contact"], zorder=3,
        )  # fmt: skip
    if axes.get_legend_handles_labels()[0]:
        axes.legend(
            loc="lower left", bbox_to_anchor=(0, 1.01), ncol=4, fontsize=_FONT - 1,
            frameon=False, handletextpad=0.3, columnspacing=1.2,
        )  # fmt: skip
    figure.suptitle(labels["title"], x=0.07, y=0.985, ha="left", fontsize=_FONT + 2)
    buffer = io.BytesIO()
    # A fast compression: the PNG is a few KB larger, and is made in a third of the time.
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _days(chart: Chart) -> list[datetime]:
    """The 1st and the 15th of each month in the period, local midnight (at most 7)."""
    zone = ZoneInfo(chart.timezone)
    first = chart.start.astimezone(zone).date()
    last = chart.end.astimezone(zone).date()
    found = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        for day in (1, 15):
            moment = datetime(year, month, day, tzinfo=zone)
            if first <= moment.date() <= last:
                found.append(moment)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found[-7:]


def warm_up() -> None:
    """Load matplotlib and its fonts now: the first card then takes as long as the next."""
    end = datetime(2026, 1, 1, tzinfo=UTC)
    sample = Chart(
        start=end - timedelta(days=91), end=end, grades=((end, 7),), missed=(end,),
        alerts=(end,), contacts=(end,), low_grade=4,
    )  # fmt: skip
    draw(sample, dict.fromkeys(LABELS, "x"))

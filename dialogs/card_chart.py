"""What the picture on a client's card shows, as plain data: which grades, which marks.

The dialog (``dialogs.client_card``) decides the points and marks; the shell draws them
(``bot.chart``, a PNG) and fills the legend with the texts named here, in the coach's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["LABELS", "Chart"]

# The legend and the empty picture's line: text keys (content/easy-language/*/coach-card.yaml).
LABELS = {
    "grade": "client_card.chart.grade",
    "missed": "client_card.chart.missed",
    "alert": "client_card.chart.alert",
    "contact": "client_card.chart.contact",
    "empty": "client_card.chart.empty",
    "title": "client_card.chart.title",
}


@dataclass(frozen=True)
class Chart:
    """Grades over a period, with missed check-ins, noodknop alerts and contacts marked.

    Every moment is timezone-aware (UTC); ``timezone`` is how the days are shown."""

    start: datetime
    end: datetime
    grades: tuple[tuple[datetime, int], ...] = ()
    missed: tuple[datetime, ...] = ()
    alerts: tuple[datetime, ...] = ()
    contacts: tuple[datetime, ...] = ()
    low_grade: int | None = None  # at or below it a grade is a signal: a line on the picture
    timezone: str = "Europe/Amsterdam"

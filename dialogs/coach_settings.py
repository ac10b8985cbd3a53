"""A coach's own settings in the bot (``/instellingen``): when they take alerts, who stands in
for them, when their weekly digest comes, and their language. Everything by button.

``show`` answers the command with the settings as they are and a button per part; a part's
button shows its choices (``cs:m:<part>``); a choice (``cs:h:<preset>``, ``cs:b:<coach id>``,
``cs:d:<weekday>``, ``cs:t:<HHMM>``, ``cs:l:<language>``) is stored and the settings are shown
again. Button data is untrusted: only the presets, weekdays and times offered here count, and
a backup only when they are an active colleague in the coach's team (``SettingsView.
colleagues``); anything else is "no longer current" and changes nothing.
Pure: the shell loads ``SettingsView`` and stores the effects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import time

from dialogs.buttons import row_id
from dialogs.events import Command, Event
from dialogs.outcome import Button, Outcome, Reply, TextRef, ToggleBackup, UpdateCoachSettings

__all__ = [
    "COMMANDS",
    "DIGEST_TIMES",
    "HOUR_PRESETS",
    "LANGUAGES",
    "Colleague",
    "SettingsView",
    "show",
    "tap",
    "wants_settings",
]

COMMANDS = frozenset({"instellingen", "settings"})
# Alert hours a coach picks from: (ISO weekdays, from, until).
HOUR_PRESETS: dict[str, tuple[str, str, str]] = {
    "wd9": ("12345", "09:00", "17:00"),
    "wd8": ("12345", "08:00", "18:00"),
    "all8": ("1234567", "08:00", "22:00"),
    "always": ("1234567", "00:00", "24:00"),
}
DIGEST_TIMES = ("0730", "0830", "1230", "1630")
LANGUAGES = ("nl", "en")
_DATA = re.compile(r"cs:([mhbdtl]):([a-z0-9]{1,12})")
_PARTS = ("hours", "backups", "digest", "language")


@dataclass(frozen=True)
class Colleague:
    coach_id: int
    name: str
    chosen: bool  # already one of this coach's backups
    position: int | None = None  # order of asking, when chosen


@dataclass(frozen=True)
class SettingsView:
    """What the shell loaded for one coach."""

    coach_id: int
    days: str
    available_from: str
    available_until: str
    digest_weekday: int  # 0: no digest
    digest_time: time
    language: str
    colleagues: tuple[Colleague, ...] = ()
    group_backups: int = 0  # team group chats that stand in (set with the CLI)


def wants_settings(event: Event) -> bool:
    return isinstance(event, Command) and event.name in COMMANDS


def show(view: SettingsView, lead: str | None = None) -> Outcome:
    """The settings as they are, with a button per part."""
    backups = sorted((c for c in view.colleagues if c.chosen), key=lambda c: c.position or 0)
    named = (
        TextRef("settings.backups_list", {"names": ", ".join(c.name for c in backups)})
        if backups
        else TextRef("settings.no_backups")
    )
    if view.group_backups:
        named = TextRef("settings.with_groups", {"backups": named, "groups": view.group_backups})
    params: dict[str, object] = {
        "hours": _hours(view),
        "backups": named,
        "digest": _digest(view),
        "language": TextRef(f"language.called.{view.language}"),
    }
    part = [Button(f"settings.button.{name}", f"cs:m:{name}") for name in _PARTS]
    rows = (tuple(part[:2]), tuple(part[2:]))
    return Outcome(replies=(Reply("settings.overview", params, buttons=rows, lead=lead),))


def tap(data: str, view: SettingsView | None) -> Outcome:
    """A settings button: a part's choices, or a choice stored and the settings shown."""
    match = _DATA.fullmatch(data)
    if match is None or view is None:
        return Outcome(notice="settings.stale")
    kind, value = match[1], match[2]
    if kind == "m" and value in _PARTS:
        return _choices(view, value)
    changed = _choice(view, kind, value)
    if changed is None:
        return Outcome(notice="settings.stale")
    effect, after = changed
    return Outcome(effects=(effect,), notice="settings.saved") + show(after, "settings.saved")


def _choices(view: SettingsView, part: str) -> Outcome:
    buttons: list[tuple[Button, ...]] = []
    if part == "hours":
        buttons = [(Button(f"settings.hours.{name}", f"cs:h:{name}"),) for name in HOUR_PRESETS]
    elif part == "backups":
        buttons = [
            (
                Button(
                    "settings.button.colleague_on" if c.chosen else "settings.button.colleague_off",
                    f"cs:b:{c.coach_id}",
                    {"name": c.name},
                ),
            )
            for c in view.colleagues
        ]
        if not buttons:
            return Outcome(replies=(Reply("settings.no_colleagues"),))
    elif part == "digest":
        days = [Button(f"settings.weekday.{d}", f"cs:d:{d}") for d in range(1, 8)]
        buttons = [tuple(days[:4]), tuple(days[4:]), (Button("settings.weekday.0", "cs:d:0"),)]
        buttons.append(
            tuple(
                Button("settings.button.time", f"cs:t:{t}", {"time": f"{t[:2]}:{t[2:]}"})
                for t in DIGEST_TIMES
            )
        )
    else:
        buttons = [(Button(f"language.name.{code}", f"cs:l:{code}"),) for code in LANGUAGES]
    return Outcome(replies=(Reply(f"settings.choose.{part}", buttons=tuple(buttons)),))


def _choice(
    view: SettingsView, kind: str, value: str
) -> tuple[UpdateCoachSettings | ToggleBackup, SettingsView] | None:
    """The effect of a choice and the settings after it; None when it is not one offered."""
    coach = view.coach_id
    if kind == "h" and value in HOUR_PRESETS:
        days, start, end = HOUR_PRESETS[value]
        effect = UpdateCoachSettings(coach, days=days, available_from=start, available_until=end)
        return effect, replace(view, days=days, available_from=start, available_until=end)
    if kind == "d" and value.isdigit() and 0 <= int(value) <= 7:
        return (
            UpdateCoachSettings(coach, digest_weekday=int(value)),
            replace(view, digest_weekday=int(value)),
        )
    if kind == "t" and value in DIGEST_TIMES:
        at = time(int(value[:2]), int(value[2:]))
        return UpdateCoachSettings(coach, digest_time=at), replace(view, digest_time=at)
    if kind == "l" and value in LANGUAGES:
        return UpdateCoachSettings(coach, language=value), replace(view, language=value)
    if kind == "b":
        colleague = row_id(value)
        found = next((c for c in view.colleagues if c.coach_id == colleague), None)
        if found is None:
            return None
        last = max((c.position or 0 for c in view.colleagues if c.chosen), default=-1)
        on = not found.chosen
        toggled = replace(found, chosen=on, position=last + 1 if on else None)
        colleagues = tuple(toggled if c is found else c for c in view.colleagues)
        return ToggleBackup(coach, found.coach_id, on=on), replace(view, colleagues=colleagues)
    return None


def _hours(view: SettingsView) -> TextRef:
    for name, preset in HOUR_PRESETS.items():
        if preset == (view.days, view.available_from, view.available_until):
            return TextRef(f"settings.hours.{name}")
    days = "".join(sorted(view.days))
    return TextRef(
        "settings.hours.custom",
        {"days": days, "from": view.available_from, "until": view.available_until},
    )


def _digest(view: SettingsView) -> TextRef:
    if not view.digest_weekday:
        return TextRef("settings.weekday.0")
    return TextRef(
        "settings.digest_at",
        {
            "day": TextRef(f"settings.weekday.{view.digest_weekday}"),
            "time": view.digest_time.strftime("%H:%M"),
        },
    )

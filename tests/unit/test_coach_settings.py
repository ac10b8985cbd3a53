"""A coach's settings dialog: what each choice stores, and that only offered choices count."""

from __future__ import annotations

from datetime import time

from dialogs.coach_settings import Colleague, SettingsView, show, tap
from dialogs.outcome import TextRef, ToggleBackup, UpdateCoachSettings

VIEW = SettingsView(
    coach_id=1,
    days="1234567",
    available_from="00:00",
    available_until="24:00",
    digest_weekday=1,
    digest_time=time(8, 30),
    language="nl",
    colleagues=(Colleague(2, "Bram", True, 0), Colleague(3, "Kim", False)),
)


def test_each_offered_choice_is_one_effect_and_the_settings_after_it() -> None:
    weekdays = UpdateCoachSettings(1, days="12345", available_from="09:00", available_until="17:00")
    cases = {
        "cs:h:wd9": weekdays,
        "cs:d:0": UpdateCoachSettings(1, digest_weekday=0),
        "cs:t:1630": UpdateCoachSettings(1, digest_time=time(16, 30)),
        "cs:l:en": UpdateCoachSettings(1, language="en"),
        "cs:b:3": ToggleBackup(1, 3, on=True),
        "cs:b:2": ToggleBackup(1, 2, on=False),
    }  # fmt: skip
    for data, effect in cases.items():
        outcome = tap(data, VIEW)
        assert outcome.effects == (effect,), data
        assert outcome.replies[0].key == "settings.overview"


def test_kim_chosen_is_asked_after_bram() -> None:
    backups = tap("cs:b:3", VIEW).replies[0].params["backups"]
    assert backups == TextRef("settings.backups_list", {"names": "Bram, Kim"})


def test_what_is_not_offered_changes_nothing() -> None:
    for data in ("cs:b:1", "cs:b:9", "cs:h:night", "cs:d:8", "cs:t:0300", "cs:l:de", "cs:q:1"):
        outcome = tap(data, VIEW)
        assert outcome.effects == () and outcome.notice == "settings.stale", data
    assert tap("cs:h:wd9", None).notice == "settings.stale"


def test_the_overview_names_the_digest_moment_and_the_hours() -> None:
    params = show(VIEW).replies[0].params
    assert params["hours"] == TextRef("settings.hours.always")
    assert params["digest"] == TextRef(
        "settings.digest_at", {"day": TextRef("settings.weekday.1"), "time": "08:30"}
    )

"""A coach's own settings in the bot (issue 15), end to end on both databases: hours, backups
chosen by button (and an alert outside the hours reaching the chosen backup at once), the
weekly digest's day and time, the language; forged or stale data changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from telegram_sandbox import SentMessage, SimUser

from bot import admin
from storage.models import Backup, Coach
from tests.scenarios.conftest import World

OVERVIEW = (
    "⚙️ Jouw instellingen\n"
    "Meldingen: {hours}. Daarbuiten gaan meldingen meteen ook naar je achterwacht.\n"
    "Achterwacht: {backups}.\n"
    "Weekoverzicht: {digest}.\n"
    "Taal: Nederlands."
)


def labels(message: SentMessage) -> list[list[str]]:
    markup = message.reply_markup or {}
    return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]


async def _settings(anna: SimUser) -> SentMessage:
    await anna.send_text("/instellingen")
    return await anna.wait_for(lambda m: (m.text or "").startswith("⚙️"))


async def _choose(anna: SimUser, part: str, choice: str) -> SentMessage:
    """Tap a part of the settings, then one of its choices; the settings come back."""
    await anna.press(part)
    await anna.wait_for(lambda m: any(choice in row for row in labels(m)))
    await anna.press(choice)
    return await anna.wait_for(lambda m: (m.text or "").startswith("✅ Opgeslagen."))


def _coach(world: World, name: str) -> Coach:
    with world.database.transaction() as session:
        return session.exec(select(Coach).where(col(Coach.name) == name)).one()


async def test_a_coach_sets_hours_backups_digest_and_language_by_button(world: World) -> None:
    anna = await world.coach("Anna")
    bram = await world.coach("Bram")
    await world.coach("Kim")
    sam = await world.client(anna, "Sam")

    first = await _settings(anna)
    assert first.text == OVERVIEW.format(
        hours="altijd", backups="niemand", digest="geen weekoverzicht"
    )
    assert labels(first) == [
        ["🕘 Bereikbaarheid", "🧑‍🤝‍🧑 Achterwacht"],
        ["📋 Weekoverzicht", "🌐 Taal"],
    ]

    saved = await _choose(anna, "🕘 Bereikbaarheid", "ma-vr 8:00-18:00")
    assert saved.text == "✅ Opgeslagen.\n\n" + OVERVIEW.format(
        hours="ma-vr 8:00-18:00", backups="niemand", digest="geen weekoverzicht"
    )
    await anna.press("🧑‍🤝‍🧑 Achterwacht", saved)
    choices = await anna.wait_for(lambda m: (m.text or "").startswith("Wie vraagt de bot"))
    assert labels(choices) == [["➕ Bram"], ["➕ Kim"]]  # colleagues, never Anna herself
    await anna.press("➕ Bram", choices)
    saved = await anna.wait_for(lambda m: "Bram, in deze volgorde" in (m.text or ""))
    saved = await _choose(anna, "📋 Weekoverzicht", "dinsdag")
    await anna.press("08:30", await _choices_of(anna, saved, "📋 Weekoverzicht"))
    saved = await anna.wait_for(lambda m: "dinsdag om 08:30" in (m.text or ""))

    stored = _coach(world, "Anna")
    assert (stored.available_days, stored.available_from, stored.available_until) == (
        "12345",
        "08:00",
        "18:00",
    )
    assert (stored.digest_weekday, stored.digest_time) == (2, "08:30")
    with world.database.transaction() as session:
        rows = session.exec(select(Backup).where(col(Backup.coach_id) == stored.id)).all()
        assert [(row.backup_coach_id, row.position) for row in rows] == [
            (_coach(world, "Bram").id, 0)
        ]

    # Saturday: outside Anna's hours, Sam's noodknop reaches Bram at once, as chosen.
    world.clock.advance(timedelta(days=5))
    await sam.tap_keyboard("🔴 Noodknop")
    await bram.wait_for(lambda m: "NOODKNOP – Sam" in (m.text or ""))

    await _choose(anna, "🌐 Taal", "English")
    english = await _settings(anna)
    assert (english.text or "").startswith("⚙️ Your settings")
    assert _coach(world, "Anna").language == "en"


async def _choices_of(anna: SimUser, overview: SentMessage, part: str) -> SentMessage:
    await anna.press(part, overview)
    return await anna.wait_for(lambda m: (m.text or "").startswith("Op welke dag"))


async def test_forged_and_stale_settings_buttons_change_nothing(world: World) -> None:
    anna = await world.coach("Anna")
    await world.coach("Bram")
    kim = await world.coach("Kim")
    sam = await world.client(anna, "Sam")
    overview = await _settings(anna)
    anna_id, kim_id = world.coach_id(anna), world.coach_id(kim)
    assert admin.deactivate_coach(world.database, coach_id=kim_id, now=world.clock.now())
    before = _coach(world, "Anna")

    forged = (f"cs:b:{anna_id}", f"cs:b:{kim_id}", "cs:b:99999", "cs:h:nights", "cs:d:9",
              "cs:t:0300", "cs:l:fr", "cs:x:1", "cs:m:secrets")  # fmt: skip
    for data in forged:
        await anna.press_data(overview, data)
        await world.settle()
    answers = [answer.text for answer in anna.callback_answers[-len(forged) :]]
    assert answers == ["Deze knop is niet meer actueel. Stuur /instellingen opnieuw."] * len(forged)
    # A client pressing a settings button reaches no settings at all.
    await sam.press_data(sam.inbox[-1], "cs:h:always")
    await world.drain()

    after = _coach(world, "Anna")
    assert after.model_dump() == before.model_dump()
    with world.database.transaction() as session:
        assert session.exec(select(Backup)).all() == []

"""Every text exists in every language, with the same placeholders, and client texts are easy."""

from __future__ import annotations

import re

import pytest

from bot.texts import TextEntry, Texts, load_texts

MAX_WORDS_PER_SENTENCE = 12
# Words a person with LVB stumbles over; say it plainly instead.
JARGON = {
    "persoonsgegevens",
    "gegevens",
    "verwerken",
    "verwerking",
    "avg",
    "privacy",
    "applicatie",
    "account",
    "registreren",
    "registratie",
    "toestemmingsverklaring",
    "cliënt",
    "client",
    "functionaliteit",
    "module",
    "systeem",
    "notificatie",
    "escalatie",
}

ALL = load_texts("nl")


def _client_texts(language: str) -> list[TextEntry]:
    return [
        e for e in ALL.entries[language].values() if e.client_facing and isinstance(e.value, str)
    ]


@pytest.mark.parametrize("language", ALL.languages)
def test_every_language_has_every_key(language: str) -> None:
    reference = set(ALL.entries["nl"])
    assert set(ALL.entries[language]) == reference


@pytest.mark.parametrize("language", ALL.languages)
def test_placeholders_match_the_dutch_text(language: str) -> None:
    for key, entry in ALL.entries["nl"].items():
        assert ALL.entries[language][key].placeholders == entry.placeholders, key


def _sentences(text: str) -> list[str]:
    text = re.sub(r"\{[a-z_]+\}", "X", text)
    parts = re.split(r"(?<=[.!?:])\s+|\n", text)
    return [p for p in parts if p.strip()]


@pytest.mark.parametrize("language", ALL.languages)
def test_client_sentences_are_short(language: str) -> None:
    too_long = [
        (entry.key, sentence)
        for entry in _client_texts(language)
        for sentence in _sentences(entry.value)  # type: ignore[arg-type]
        if len(sentence.split()) > MAX_WORDS_PER_SENTENCE
    ]
    assert too_long == []


def test_dutch_client_texts_avoid_jargon() -> None:
    found = [
        (entry.key, word)
        for entry in _client_texts("nl")
        for word in re.findall(r"[a-zà-ÿ]+", re.sub(r"\{[a-z_]+\}", "", str(entry.value)).lower())
        if word in JARGON
    ]
    assert found == []


def test_sentence_check_catches_a_long_sentence() -> None:
    long = "Dit is een veel te lange zin met heel erg veel woorden erin voor iemand."
    assert any(len(s.split()) > MAX_WORDS_PER_SENTENCE for s in _sentences(long))


def test_render_fills_placeholders_and_dates(texts: Texts) -> None:
    from datetime import UTC, datetime

    from dialogs.outcome import TextRef

    moment = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # already 7 December in Amsterdam
    assert texts.format_date("nl", moment) == "7 december"
    assert texts.format_date("en", moment) == "December 7"
    rendered = texts.render(
        "nl",
        "menu.explained",
        {
            "coach": "Anna",
            "message_button": TextRef("menu.message_coach"),
            "checkin_button": TextRef("menu.checkin"),
            "noodknop_button": TextRef("menu.noodknop"),
        },
    )
    assert "💬 Bericht aan coach – stuur Anna een bericht." in rendered
    assert "112" in rendered


def test_unknown_language_falls_back_to_default(texts: Texts) -> None:
    assert texts.language("de") == "nl"
    assert texts.language("en-GB") == "en"
    assert texts.render("fr", "common.question_closed") == "Deze vraag is al klaar."


def test_a_moment_shows_its_day_when_it_is_not_the_day_it_is_said_on(texts: Texts) -> None:
    from datetime import UTC, datetime, timedelta

    from dialogs.outcome import At

    now = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)  # Monday 9 November, 13:00 in Amsterdam
    cases = [
        (now - timedelta(hours=3), "10:00", "10:00"),
        (now - timedelta(hours=14), "zondag 23:00", "Sunday 23:00"),
        (now - timedelta(days=6, hours=12), "dinsdag 01:00", "Tuesday 01:00"),
        (now - timedelta(days=7), "2 november 13:00", "November 2, 13:00"),
        # A whole hour still to come as people say it ("23 uur"); midnight as a clock time.
        (now + timedelta(hours=10), "vandaag om 23 uur", "today at 23:00"),
        (now + timedelta(hours=10, minutes=30), "vandaag om 23:30", "today at 23:30"),
        (now + timedelta(hours=11), "morgen om 00:00", "tomorrow at 00:00"),
        (now + timedelta(days=2), "woensdag om 13 uur", "on Wednesday at 13:00"),
        (now + timedelta(days=7), "maandag 16 november om 13 uur", "Monday, November 16 at 13:00"),
    ]
    for moment, dutch, english in cases:
        assert texts.render("nl", "format.at.earlier_today", {"time": At(moment, now)}) == dutch
        assert texts.render("en", "format.at.earlier_today", {"time": At(moment, now)}) == english
    assert texts.render("nl", "format.at.earlier_today", {"time": At(now - timedelta(days=3))}) == (
        "13:00"
    ), "without the moment it is said, the clock time alone"


def test_a_moment_with_its_day_survives_the_outbox() -> None:
    from datetime import UTC, datetime

    from bot.outbox_rows import decode_params, encode_params
    from dialogs.outcome import At

    moment = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)
    for value in (At(moment), At(moment, moment.replace(day=10))):
        assert decode_params(encode_params({"time": value})) == {"time": value}

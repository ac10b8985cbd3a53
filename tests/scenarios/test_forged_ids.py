"""Made-up ids in button data (review): an id no row can have (above 2^31-1, the INTEGER range
on both databases, or 19 digits) is an unknown id. The press is answered as a button naming an
id that is not there, nothing is stored or sent, and nothing is logged; before, PostgreSQL
raised DataError (SQLite OverflowError for 19 digits), the button kept spinning and "update
failed" was logged. The real bot through the sandbox, both databases."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlmodel import SQLModel
from telegram_sandbox import SimUser

from tests.scenarios.conftest import World

UNKNOWN = 2**31 - 1  # an id a row can have, but none has here
OUT_OF_RANGE = (2**31, 999_999_999_999, 9_999_999_999_999_999_999)

# Every prefix whose data names a row, pressed by the person its buttons are for.
FORGED = [
    ("client", "nk:{}:bad"),
    ("client", "nk:{}:accident_no"),
    ("client", "ci:{}:0:x"),
    ("coach", "al:{}:ack"),
    ("coach", "al:{}:close:talked"),
    ("coach", "rs:{}"),
    ("coach", "sg:{}:done"),
    ("coach", "sg:{}:call"),
    ("coach", "cc:{}"),
    ("coach", "cc:{}:m"),
    ("coach", "cl:{}"),
    ("coach", "cn:{}"),
    ("coach", "fa:{}"),
    ("coach", "fa:{}:x:goal"),
    ("coach", "dr:{}"),
    ("coach", "sj:{}:y"),
    ("coach", "sp:end:{}"),
    ("coach", "sp:keep:{}"),
    ("coach", "rt:{}:w1"),
    ("coach", "rp:{}:p"),
    ("coach", "rn:{}"),
]
KIND_ANSWERS = {
    "Deze knop werkt niet meer.",
    "Deze vraag is al klaar.",
    "Deze vraag is niet meer actueel. Er is niets veranderd.",
    "Deze melding is niet meer actueel. Er is niets veranderd.",
    "Deze cliënt staat niet (meer) in jouw lijst. Stuur /clienten voor de lijst van nu.",
    "Deze knop hoort niet bij een cliënt van jou. Ik verander niets.",
}


def _stored(world: World) -> dict[str, list[Any]]:
    """Every row of every table but ``instance``, whose heartbeat moves with real time (a slow
    run beats while the presses go on): it says the bot lives, nothing a press could change."""
    with world.database.transaction() as session:
        return {
            table.name: sorted(map(repr, session.connection().execute(table.select())))
            for table in SQLModel.metadata.sorted_tables
            if table.name != "instance"
        }


@pytest.mark.parametrize(("who", "data"), FORGED, ids=[data for _, data in FORGED])
async def test_an_id_no_row_can_have_is_an_unknown_id(
    world: World, who: str, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await world.coach("Anna")
    sam = await world.client(anna, "Sam")
    presser: SimUser = sam if who == "client" else anna
    message = presser.last_message
    assert message is not None
    await world.drain()
    before = _stored(world)

    await presser.press_data(message, data.format(UNKNOWN))
    await world.drain()
    unknown = presser.callback_answers[-1].text
    assert unknown in KIND_ANSWERS
    caplog.set_level(logging.INFO)
    caplog.clear()
    for ident in OUT_OF_RANGE:
        answered = len(presser.callback_answers)
        await presser.press_data(message, data.format(ident))
        await world.drain()
        assert [a.text for a in presser.callback_answers[answered:]] == [unknown], ident

    assert _stored(world) == before
    assert anna.unread == [] and sam.unread == []
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == []
    assert not any(str(OUT_OF_RANGE[0]) in r.getMessage() for r in caplog.records)

"""Ids in button data: one reader (``dialogs.buttons.row_id``) for every prefix. Only an id a
row can have (1 .. 2^31-1, INTEGER on SQLite and PostgreSQL), written as the bot writes it,
is read; anything else is None, as unknown as an id no row has (review: made-up data crashed
the update on the database)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dialogs import checkin, client_card, coach, data_request, noodknop, phases, relay, stopping
from dialogs.buttons import ID, MAX_ROW_ID, row_id
from dialogs.signal_actions import SignalAction
from dialogs.signal_actions import parse_data as parse_signal_data


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("1", 1),
        ("12", 12),
        ("2147483647", 2**31 - 1),
        ("0", None),
        ("2147483648", None),
        ("9999999999", None),  # ten digits, above the range
        ("99999999999", None),
        ("999999999999", None),
        ("9999999999999999999", None),
        ("9" * 5000, None),
        ("007", None),  # the bot never writes a leading zero
        ("01", None),
        ("00", None),
        ("+1", None),
        ("-1", None),
        ("", None),
        (" 1", None),
        ("1 ", None),
        ("1\n", None),
        ("1_000", None),
        ("1.0", None),
        ("1e3", None),
        ("0x1f", None),
        ("a1", None),
        ("١٢", None),  # Arabic-Indic digits: int() would read them
        ("²", None),
    ],
)
def test_row_id_reads_only_an_id_a_row_can_have(digits: str, expected: int | None) -> None:
    assert row_id(digits) == expected


def test_the_range_is_the_integer_columns() -> None:
    assert MAX_ROW_ID == 2_147_483_647
    assert ID == "[0-9]+"


# Every parser of data naming a row: (reads, data with "{}" for the id, what the id reads as).
PARSERS: list[tuple[Callable[[str], Any], str, Callable[[Any], int | None]]] = [
    (noodknop.parse_alert_data, "nk:{}:bad", lambda p: p and p[1]),
    (noodknop.parse_alert_data, "al:{}:close:talked", lambda p: p and p[1]),
    (parse_signal_data, "sg:{}:done", lambda p: p and p[0]),
    (relay.parse_seen_data, "rs:{}", lambda p: p),
    (data_request.parse_data, "dr:{}", lambda p: p),
    (phases.tapped_client_id, "fa:{}:x:goal", lambda p: p),
    (client_card.tapped_client_id, "cc:{}:m", lambda p: p),
    (client_card.tapped_client_id, "cl:{}", lambda p: p),
    (client_card.tapped_client_id, "cn:{}", lambda p: p),
    (coach.stop_joining_client_id, "sj:{}:y", lambda p: p),
    (stopping.parse_coach_data, "sp:end:{}", lambda p: p and p[1]),
    (checkin.parse_callback, "ci:{}:0:x", lambda p: p and p.checkin_id),
]


@pytest.mark.parametrize(("parse", "data", "id_of"), PARSERS, ids=[data for _, data, _ in PARSERS])
@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        ("7", 7),
        ("2147483647", 2**31 - 1),
        ("2147483648", None),
        ("999999999999", None),
        ("9999999999999999999", None),
        ("0", None),
        ("07", None),
        ("١٢", None),
    ],
)
def test_every_prefix_reads_its_id_through_row_id(
    parse: Callable[[str], Any],
    data: str,
    id_of: Callable[[Any], int | None],
    ident: str,
    expected: int | None,
) -> None:
    assert id_of(parse(data.format(ident))) == expected


def test_a_signal_tap_keeps_its_action() -> None:
    assert parse_signal_data("sg:12:call") == (12, SignalAction.CALL)
    assert parse_signal_data("sg:12:call\n") is None

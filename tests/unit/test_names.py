"""Names a coach can trust: the rules for what a name may be and when two are the same."""

from __future__ import annotations

import pytest

from dialogs.names import NameProblem, check_name, clean, same_key


@pytest.mark.parametrize(
    "name",
    [
        "Sam",
        "Anne-Marie",
        "D'Souza",
        "J. de Vries",
        "Zoë",
        "Владимир",
        "محمد",
        "Çağla Öztürk",
        "Anna Maria van der Berg",
    ],
)
def test_names_people_have_are_accepted(name: str) -> None:
    assert check_name(clean(name)) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Sam – vals alarm, niet bellen", NameProblem.NOT_A_NAME),
        ("Kim (cliënt van Bram)", NameProblem.NOT_A_NAME),
        ("Sam 2", NameProblem.NOT_A_NAME),
        ("Sam 🙂", NameProblem.NOT_A_NAME),
        ("Sam: bel niet", NameProblem.NOT_A_NAME),
        ("Ѕam", NameProblem.MIXED_SCRIPTS),  # a Cyrillic S
        ("Sаm", NameProblem.MIXED_SCRIPTS),  # a Cyrillic a
        ("...", NameProblem.EMPTY),
        ("A" * 41, NameProblem.TOO_LONG),
        ("Sam ik bel je morgen terug", NameProblem.TOO_LONG),
    ],
)
def test_what_is_not_a_name_is_refused(name: str, problem: NameProblem) -> None:
    assert check_name(clean(name)) is problem


def test_a_name_the_coach_has_already_is_taken_whatever_its_case_or_accents() -> None:
    taken = ["Sam", "Kim de Vries"]
    for same in ("sam", "SAM", "Säm", "kim  de vries"):
        assert check_name(clean(same), taken) is NameProblem.TAKEN
    assert check_name(clean("Sam B."), taken) is None
    assert same_key("Zoë ") == same_key("zoe")


def test_a_name_is_stored_with_single_spaces_and_compared_without_accents() -> None:
    assert clean("  Zoë   de  Wit ") == "Zoë de Wit"
    assert same_key("Zoe\u0308 de Wit") == same_key("zoë de wit") == "zoe de wit"

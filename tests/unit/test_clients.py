"""Which client a coach names in a command: longest name first, case and accents ignored."""

from __future__ import annotations

import pytest

from dialogs.clients import ClientMatch, ClientRef, find_client

SAM = ClientRef(7, "Sam")
SAM_DE_VRIES = ClientRef(8, "Sam de Vries")
JOSE = ClientRef(9, "José")
BO = ClientRef(10, "Bo")


def test_a_name_alone_is_found_with_nothing_after_it() -> None:
    assert find_client("Sam", [SAM, BO]) == ClientMatch(SAM, "", ())


def test_the_words_after_the_name_are_the_rest_as_typed() -> None:
    match = find_client("Sam  Elke   2 Weken  Dinsdag", [SAM, BO])
    assert match.client == SAM
    assert match.rest == "Elke 2 Weken Dinsdag"  # original case, spaces collapsed
    assert match.candidates == ()


@pytest.mark.parametrize("typed", ["sam", "SAM", "sAm", "  Sam  "])
def test_case_and_surrounding_spaces_do_not_matter(typed: str) -> None:
    assert find_client(typed, [SAM]).client == SAM


@pytest.mark.parametrize(
    "typed, name",
    [
        ("jose", "José"),  # accent in the stored name only
        ("josé", "Jose"),  # accent in the typed name only
        ("JOSÉ", "josé"),
        ("Jose\u0301", "José"),  # typed decomposed (e + combining acute), stored composed
        ("José", "Jose\u0301"),
        ("zoë", "Zoe"),
        ("francois", "François"),
        ("strasse", "Straße"),  # casefold: ß is ss
    ],
)
def test_accents_and_case_are_folded_on_both_sides(typed: str, name: str) -> None:
    client = ClientRef(1, name)
    assert find_client(f"{typed} elke week", [client]) == ClientMatch(client, "elke week", ())


@pytest.mark.parametrize("clients", [[SAM, SAM_DE_VRIES], [SAM_DE_VRIES, SAM]])
def test_the_longest_name_wins_whatever_the_order(clients: list[ClientRef]) -> None:
    assert find_client("Sam de Vries", clients) == ClientMatch(SAM_DE_VRIES, "", ())
    assert find_client("sam DE vries elke week", clients) == ClientMatch(
        SAM_DE_VRIES, "elke week", ()
    )
    assert find_client("Sam elke week", clients) == ClientMatch(SAM, "elke week", ())
    # "de" alone does not make "Sam de Vries": Sam is meant, "de Jong" is what follows.
    assert find_client("Sam de Jong", clients) == ClientMatch(SAM, "de Jong", ())


def test_a_multi_word_name_needs_all_its_words() -> None:
    match = find_client("Sam de", [SAM_DE_VRIES, BO])
    assert match.client is None
    assert match.rest == "Sam de"
    assert match.candidates == (SAM_DE_VRIES, BO)


def test_spacing_inside_a_stored_name_does_not_matter() -> None:
    client = ClientRef(3, "  Sam   de  Vries ")
    assert find_client("sam de vries", [client]) == ClientMatch(client, "", ())


@pytest.mark.parametrize("typed", ["Sammy", "Sa", "Sam-Jan", "S"])
def test_names_match_whole_words_only(typed: str) -> None:
    match = find_client(typed, [SAM, BO])
    assert match.client is None
    assert match.candidates == (SAM, BO)


def test_the_name_must_come_first() -> None:
    match = find_client("elke week Sam", [SAM, BO])
    assert match.client is None
    assert match.rest == "elke week Sam"


def test_two_clients_with_the_same_name_are_both_candidates() -> None:
    other_sam = ClientRef(11, "sam")
    match = find_client("Sam elke week", [SAM, BO, other_sam])
    assert match.client is None
    assert match.candidates == (SAM, other_sam)  # only the tied names, in list order
    assert match.rest == "elke week"


def test_a_tie_on_the_longest_name_ignores_shorter_names() -> None:
    twin = ClientRef(12, "Sam de Vries")
    match = find_client("Sam de Vries", [SAM, SAM_DE_VRIES, twin])
    assert match == ClientMatch(None, "", (SAM_DE_VRIES, twin))


def test_an_unknown_name_lists_every_client() -> None:
    match = find_client("Piet elke week", [SAM, BO, JOSE])
    assert match == ClientMatch(None, "Piet elke week", (SAM, BO, JOSE))


@pytest.mark.parametrize("typed", ["", "   "])
def test_no_name_lists_every_client(typed: str) -> None:
    assert find_client(typed, [SAM]) == ClientMatch(None, "", (SAM,))


@pytest.mark.parametrize("typed", ["", "Sam", "Sam elke week"])
def test_without_clients_there_are_no_candidates(typed: str) -> None:
    match = find_client(typed, [])
    assert match.client is None
    assert match.candidates == ()


def test_a_client_with_a_blank_name_is_never_matched() -> None:
    blank = ClientRef(13, "   ")
    assert find_client("Sam", [blank, SAM]) == ClientMatch(SAM, "", ())
    assert find_client("", [blank]).client is None


def test_any_sequence_of_clients_will_do() -> None:
    assert find_client("bo", (SAM, BO)).client == BO

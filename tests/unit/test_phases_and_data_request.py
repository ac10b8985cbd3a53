"""The pure parts of phases, ending, a former client and the data request, as transcripts of
text keys and effects (``dialogs.phases``, ``dialogs.ended``, ``dialogs.data_request``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.words import load_words
from dialogs import data_request, phases
from dialogs.buttons import ButtonKind, kind_of
from dialogs.clients import ClientRef
from dialogs.ended import FORMER_CLIENT_HEADER, EndedView
from dialogs.events import Command, MenuItem, MenuPress, OtherMessage, Start, Text
from dialogs.outcome import EndSupport, Outcome, Recipient
from dialogs.people import ClientStep
from dialogs.phase_effects import ReopenSupport, RequestData, SendSummary, SetPhase
from dialogs.relay_effects import RelayToCoach
from dialogs.router import DialogContext, route
from tests.unit.people import ANNA, BRAM, SAM

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
DUTCH = load_words("nl")["nl"]
SAMS = ClientRef(7, "Sam")
ACTIVE = phases.PhaseClient(
    SAMS, coach_id=1, ended=False, linked=True, steps=(phases.PhaseStep("start", NOW, None),)
)
ENDED = replace(
    ACTIVE, ended=True, steps=(*ACTIVE.steps, phases.PhaseStep("ended", NOW, "Anna", "moved"))
)
FORMER_SAM = replace(SAM, client_step=ClientStep.ENDED)


def keys(outcome: Outcome) -> list[str]:
    return [reply.key for reply in outcome.replies]


def tap(data: str, client: phases.PhaseClient | None = ACTIVE, person=ANNA) -> Outcome:  # type: ignore[no-untyped-def]
    return phases.tap(person, data, NOW, phases.PhaseContext(client, grace_days=30))


def test_the_phase_view_offers_the_other_phases_and_ending_or_reopening() -> None:
    shown = tap("fa:7")
    assert keys(shown) == ["coach_phase.view"]
    data = [[b.data for b in row] for row in shown.replies[0].buttons]
    assert data == [["fa:7:s:regular", "fa:7:s:waakvlam"], ["fa:7:e"]]
    assert {kind_of(d) for row in data for d in row} == {ButtonKind.PHASE}
    ended = tap("fa:7", ENDED)
    assert [[b.data for b in row] for row in ended.replies[0].buttons] == [["fa:7:o"]]


def test_a_new_phase_suggests_its_rhythm_through_the_rhythm_dialogs_button() -> None:
    for phase, code in (("start", "w1"), ("regular", "w2"), ("waakvlam", "m3")):
        client = replace(ACTIVE, steps=(phases.PhaseStep("other", NOW),))
        outcome = tap(f"fa:7:s:{phase}", client)
        assert outcome.effects == (SetPhase(7, 1, phase),)
        [[button]] = outcome.replies[0].buttons
        assert button.data == f"rt:7:{code}" and kind_of(button.data) is ButtonKind.SCHEDULE
    assert tap("fa:7:s:start").effects == ()  # already in it: said so, nothing changes


def test_ending_asks_a_reason_then_ends_with_a_goodbye_to_the_client() -> None:
    asked = tap("fa:7:e")
    assert [b.data for row in asked.replies[0].buttons for b in row] == [
        f"fa:7:x:{r}" for r in phases.END_REASONS
    ]
    ended = tap("fa:7:x:goal")
    assert ended.effects == (EndSupport(7, 1, "goal"),)
    assert keys(ended) == ["coach_phase.ended", "stopping.goodbye"]
    assert ended.replies[1].to is Recipient.CLIENT
    assert [b.data for row in ended.replies[0].buttons for b in row] == ["fa:7:o"]
    untold = tap("fa:7:x:goal", replace(ACTIVE, linked=False))
    assert keys(untold) == ["coach_phase.ended_untold"]


def test_reopening_only_an_ended_client_who_can_be_told() -> None:
    reopened = tap("fa:7:o", ENDED)
    assert reopened.effects == (ReopenSupport(7, 1),)
    assert keys(reopened) == ["coach_phase.reopened", "ended.welcome_back"]
    unlinked = tap("fa:7:o", replace(ENDED, linked=False))
    assert unlinked.effects == () and keys(unlinked) == ["coach_phase.reopen_unlinked"]


def test_other_coaches_forged_and_stale_buttons_change_nothing() -> None:
    cases = [
        (tap("fa:7:x:goal", person=BRAM), phases.NOT_YOURS),
        (tap("fa:8:x:goal"), phases.NOT_YOURS),
        (tap("fa:7:x:goal", None), phases.NOT_YOURS),
        (tap("fa:7:x:goal", ENDED), phases.STALE),
        (tap("fa:7:s:waakvlam", ENDED), phases.STALE),
        (tap("fa:7:o"), phases.STALE),
        (tap("fa:7:x:bored"), "common.button_unknown"),
        (tap("fa:7:s:ended"), "common.button_unknown"),
    ]
    for outcome, notice in cases:
        assert (outcome.effects, outcome.replies, outcome.notice) == ((), (), notice)


def test_names_find_former_clients_only_where_allowed() -> None:
    active, former = (ClientRef(7, "Sam"),), (ClientRef(9, "Lou"),)

    def named(text: str) -> ClientRef | None:
        name, _, args = text.partition(" ")
        return phases.named_client(Command(name, args), active, former, DUTCH)

    assert named("fase Sam waakvlam") == ClientRef(7, "Sam")
    assert named("fase Lou") == ClientRef(9, "Lou")
    assert named("heropen Lou") == ClientRef(9, "Lou")
    assert named("afsluiten Lou") is None
    assert named("fase Sam iets anders") is None
    # The phase words are the coach's language's, with the others behind them (words.yaml).
    assert named("fase Sam Regulier.") == ClientRef(7, "Sam")
    assert named("fase Sam regular phase") == ClientRef(7, "Sam")


def test_a_former_client_hears_that_support_ended_and_where_help_is() -> None:
    def said(event, view: EndedView | None = None) -> Outcome:  # type: ignore[no-untyped-def]
        return route(FORMER_SAM, event, NOW, DialogContext(words=DUTCH, ended=view))

    numbers = ["noodknop.number_112", "noodknop.number_113", "noodknop.number_doctor"]
    for press in (MenuPress(MenuItem.NOODKNOP), Command("nood")):
        outcome = said(press)
        assert keys(outcome) == ["ended.noodknop", *numbers] and outcome.effects == ()
    assert keys(said(Text("nood"))) == ["help_words.outside", "ended.noodknop", *numbers]
    assert keys(said(Start())) == ["ended.hello"]
    within = EndedView(NOW - timedelta(days=3), passes_on=True, chat_id=500)
    passed = said(Text("hoi", message_id=4, chat_id=500), within)
    assert keys(passed) == ["ended.passed_on"]
    assert passed.effects == (
        RelayToCoach(7, 500, 4, "text", header=FORMER_CLIENT_HEADER, ended_on=within.ended_at),
    )
    after = replace(within, passes_on=False)
    assert keys(said(Text("hoi", message_id=4, chat_id=500), after)) == ["ended.not_passed_on"]
    assert said(Text("hoi", message_id=4, chat_id=500), after).effects == ()
    assert keys(said(OtherMessage("poll", message_id=5), within)) == ["ended.hello"]


def test_the_data_request_asks_the_coach_and_the_coach_sends_with_one_tap() -> None:
    assert data_request.wants_data("Wat weet je van mij?", DUTCH)
    assert not data_request.wants_data("wat weet je van mijn moeder", DUTCH)
    asked = route(SAM, Text("wat weet je van mij?"), NOW, DialogContext(words=DUTCH))
    assert asked.effects == (RequestData(7),)
    assert keys(asked) == ["data_request.asked", "coach_data.requested"]
    [[button]] = asked.replies[1].buttons
    assert button.data == "dr:7" and kind_of(button.data) is ButtonKind.DATA_REQUEST
    sent = data_request.coach_taps(ANNA, "dr:7", SAMS)
    assert sent.effects == (SendSummary(7, 1),) and keys(sent) == ["coach_data.sent"]
    for person, data, tapped in ((ANNA, "dr:8", SAMS), (ANNA, "dr:7", None), (BRAM, "dr:7", None)):
        assert data_request.coach_taps(person, data, tapped).notice == data_request.NOT_YOURS
    assert data_request.coach_taps(ANNA, "dr:x", SAMS).notice == "common.button_unknown"

"""The relay dialog (messages between a client and their coach) with a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.texts import load_texts
from dialogs import relay
from dialogs.buttons import ButtonKind, kind_of
from dialogs.events import OtherMessage, Text
from dialogs.outcome import At, AwaitInput, Button, Keyboard, Outcome, Recipient, Reply, TextRef
from dialogs.people import ClientStep, Person
from dialogs.relay import (
    AwaitClientMessage,
    ClientRef,
    CoachRelayContext,
    MarkRelaySeen,
    RelayContext,
    RelayToClient,
    RelayToCoach,
    RelayView,
    SetRelayAsked,
    SetRelayDirect,
)
from tests.unit.people import ANNA, BRAM, SAM

# Monday 2 November 2026, 10:00 in Amsterdam (CET, UTC+1).
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = load_texts("nl")
MB = 1024 * 1024
DIRECT = RelayContext(chat_id=500, relay_direct=True, button_key=b"k")
FIRST_TIME = RelayContext(chat_id=500, button_key=b"k")
YES_42 = relay.confirm_data(True, 42, FIRST_TIME)
NO_42 = relay.confirm_data(False, 42, FIRST_TIME)
TO_ANNA = RelayView(
    relay_id=3,
    client_id=7,
    coach_id=1,
    client_name="Sam",
    coach_name="Anna",
    direction="to_coach",
)
TO_SAM = replace(TO_ANNA, relay_id=4, direction="to_client")
HELLO = Text("Hoi Anna", message_id=42, chat_id=500)
COACH_HELLO = Text("Hoi Sam", message_id=77, chat_id=100)


def keys(outcome: Outcome | None) -> list[str]:
    """The reply keys, after checking every text, button and parameter is there."""
    assert outcome is not None
    for reply in outcome.replies:
        for language in ("nl", "en"):
            TEXTS.render(language, reply.key, reply.params)  # every placeholder is filled
        for row in reply.buttons:
            assert all(TEXTS.has(b.label_key) for b in row)
            assert all(len(b.data.encode()) <= 64 for b in row)
    for key in (outcome.notice, outcome.chosen):
        if key:
            assert TEXTS.has(key), key
    return [reply.key for reply in outcome.replies]


def effects(outcome: Outcome | None) -> tuple[object, ...]:
    assert outcome is not None
    return outcome.effects


def made(
    replies: tuple[Reply, ...] = (), effects: tuple[object, ...] = (), notice: str | None = None
) -> Outcome:
    """An expected outcome; relay effects are not (yet) in ``dialogs.outcome.Effect``."""
    pending: tuple[Any, ...] = effects
    return Outcome(replies=replies, effects=pending, notice=notice)


def sent(key: str = "relay.sent", **params: object) -> Reply:
    return Reply(key, {"coach": "Anna", **params}, keyboard=Keyboard.CLIENT_MENU)


# -- client -> coach --------------------------------------------------------------------------


def test_the_menu_button_asks_for_the_message_and_sends_the_next_one_directly() -> None:
    outcome = relay.ask_for_message(SAM, FIRST_TIME)
    assert keys(outcome) == ["relay.ask"]
    # "Toch niet" under the question (the menu the client pressed stays as it is).
    assert outcome.replies == (
        Reply(
            "relay.ask",
            {"coach": "Anna"},
            buttons=((Button("relay.cancel_button", "mx"),),),
        ),
    )
    assert effects(outcome) == (AwaitClientMessage(7, True),)
    assert TEXTS.render("nl", "relay.ask", {"coach": "Anna"}) == (
        "Wat wil je aan Anna vertellen?\nTyp het, of spreek een bericht in."
    )


def test_after_the_menu_button_the_message_goes_and_the_waiting_ends() -> None:
    awaited = RelayContext(chat_id=500, awaiting_message=True)
    outcome = relay.client_sends(SAM, HELLO, NOW, awaited)
    assert keys(outcome) == ["relay.sent"]
    assert outcome.replies == (sent(),)
    assert effects(outcome) == (RelayToCoach(7, 500, 42, "text"), AwaitClientMessage(7, False))
    assert TEXTS.render("nl", "relay.sent", {"coach": "Anna"}) == "Verstuurd naar Anna."


@pytest.mark.parametrize("kind", ["voice", "photo", "video", "video_note", "sticker", "location"])
def test_once_said_yes_every_message_goes_without_asking(kind: str) -> None:
    message = OtherMessage(kind, message_id=43, chat_id=500, file_size=1000)
    outcome = relay.client_sends(SAM, message, NOW, DIRECT)
    assert outcome.replies == (sent(),)
    assert effects(outcome) == (RelayToCoach(7, 500, 43, kind),)


def test_the_first_message_out_of_the_blue_asks_once_whether_to_send_it() -> None:
    outcome = relay.client_sends(SAM, HELLO, NOW, FIRST_TIME)
    assert keys(outcome) == ["relay.confirm"]
    assert effects(outcome) == (SetRelayAsked(7, (42,)),)  # its id, remembered until answered
    assert outcome.replies == (
        Reply(
            "relay.confirm",
            {"coach": "Anna"},
            buttons=((Button("relay.confirm_yes", YES_42), Button("relay.confirm_no", NO_42)),),
        ),
    )
    assert TEXTS.render("nl", "relay.confirm", {"coach": "Anna"}) == "Wil je dit naar Anna sturen?"
    assert TEXTS.render("nl", "relay.confirm_yes") == "Ja, stuur het"


@pytest.mark.parametrize("kind", sorted(relay.UNSUPPORTED_KINDS))
@pytest.mark.parametrize("ctx", [DIRECT, FIRST_TIME, replace(DIRECT, awaiting_message=True)])
def test_polls_games_dice_and_contacts_are_not_sent_on(kind: str, ctx: RelayContext) -> None:
    outcome = relay.client_sends(SAM, OtherMessage(kind, message_id=43, chat_id=500), NOW, ctx)
    assert outcome.replies == (Reply("relay.unsupported", keyboard=Keyboard.CLIENT_MENU),)
    assert effects(outcome) == ()  # an awaited message is still awaited
    assert TEXTS.render("nl", "relay.unsupported") == (
        "Dit soort bericht kan ik niet doorsturen.\nTyp je bericht, of spreek het in."
    )


def test_a_message_without_an_id_cannot_be_copied() -> None:
    outcome = relay.client_sends(SAM, Text("hoi"), NOW, DIRECT)
    assert keys(outcome) == ["relay.unsupported"] and effects(outcome) == ()


@pytest.mark.parametrize(
    "size, max_bytes, relayed",
    [
        (20 * MB, relay.MAX_RELAY_BYTES, True),
        (20 * MB + 1, relay.MAX_RELAY_BYTES, False),
        (None, relay.MAX_RELAY_BYTES, True),
        (1000, 1000, True),
        (1001, 1000, False),
    ],
)
def test_size_limit(size: int | None, max_bytes: int, relayed: bool) -> None:
    video = OtherMessage("video", message_id=44, chat_id=500, file_size=size)
    for ctx in (replace(DIRECT, max_bytes=max_bytes), replace(FIRST_TIME, max_bytes=max_bytes)):
        outcome = relay.client_sends(SAM, video, NOW, ctx)
        if relayed:
            assert keys(outcome) in (["relay.sent"], ["relay.confirm"])
        else:
            assert outcome.replies == (Reply("relay.too_big", keyboard=Keyboard.CLIENT_MENU),)
            assert effects(outcome) == ()


def test_the_too_big_text_suggests_something_that_fits() -> None:
    text = TEXTS.render("nl", "relay.too_big")
    assert "te groot" in text and "kleiners" in text and "foto" in text


# Tuesday 3 November 2026, 08:00 UTC is 09:00 in Amsterdam.
BACK_TOMORROW = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "now, back, day",
    [
        (NOW, datetime(2026, 11, 2, 12, 0, tzinfo=UTC), TextRef("relay.day.today")),
        (NOW, BACK_TOMORROW, TextRef("relay.day.tomorrow")),
        # Monday 23:30 UTC is already Tuesday 00:30 in Amsterdam: 09:00 is today there.
        (datetime(2026, 11, 2, 23, 30, tzinfo=UTC), BACK_TOMORROW, TextRef("relay.day.today")),
        # Friday evening, back on Monday.
        (
            datetime(2026, 11, 6, 19, 0, tzinfo=UTC),
            datetime(2026, 11, 9, 8, 0, tzinfo=UTC),
            TextRef("relay.day.mon"),
        ),
        (NOW, datetime(2026, 11, 8, 8, 0, tzinfo=UTC), TextRef("relay.day.sun")),
        # A week or more away: the date itself.
        (NOW, datetime(2026, 11, 9, 8, 0, tzinfo=UTC), datetime(2026, 11, 9, 8, 0, tzinfo=UTC)),
    ],
)
def test_off_hours_says_when_the_coach_is_back_and_where_help_is_now(
    now: datetime, back: datetime, day: object
) -> None:
    off = replace(DIRECT, coach_available=False, coach_back=back)
    outcome = relay.client_sends(SAM, HELLO, now, off)
    assert keys(outcome) == ["relay.sent_off_hours"]
    assert outcome.replies == (sent("relay.sent_off_hours", back=At(back), day=day),)
    assert effects(outcome) == (RelayToCoach(7, 500, 42, "text"),)


def test_the_off_hours_text_reads_well() -> None:
    off = replace(DIRECT, coach_available=False, coach_back=BACK_TOMORROW)
    reply = relay.client_sends(SAM, HELLO, NOW, off).replies[0]
    assert TEXTS.render("nl", reply.key, reply.params) == (
        "Verstuurd naar Anna.\n"
        "Anna werkt nu niet.\n"
        "Anna is er morgen weer, vanaf 09:00.\n"
        "Heb je nu hulp nodig? Druk op de Noodknop.\n"
        "Bij gevaar: bel 112."
    )
    assert "Anna is back tomorrow, from 09:00." in TEXTS.render("en", reply.key, reply.params)
    far = relay.client_sends(
        SAM, HELLO, NOW, replace(off, coach_back=datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    ).replies[0]
    assert "Anna is er 20 november weer, vanaf 09:00." in TEXTS.render("nl", far.key, far.params)


def test_off_hours_without_a_known_return_still_names_the_noodknop() -> None:
    off = replace(DIRECT, coach_available=False, coach_back=None, awaiting_message=True)
    outcome = relay.client_sends(SAM, HELLO, NOW, off)
    assert outcome.replies == (sent("relay.sent_off_hours_later"),)
    assert effects(outcome) == (RelayToCoach(7, 500, 42, "text"), AwaitClientMessage(7, False))
    text = TEXTS.render("nl", "relay.sent_off_hours_later", {"coach": "Anna"})
    assert "Noodknop" in text and "112" in text


# -- the "send this?" question ----------------------------------------------------------------


def test_yes_sends_the_message_from_the_clients_own_chat_and_stops_asking() -> None:
    outcome = relay.client_confirms(SAM, YES_42, NOW, FIRST_TIME)
    assert keys(outcome) == ["relay.sent"]
    assert outcome.replies == (sent(),)
    assert effects(outcome) == (RelayToCoach(7, 500, 42, None), SetRelayDirect(7, True))
    assert outcome.chosen == relay.CONFIRM_YES == "relay.confirm_yes"
    assert outcome.notice is None


def test_yes_when_already_direct_does_not_set_it_again() -> None:
    outcome = relay.client_confirms(SAM, YES_42, NOW, DIRECT)
    assert effects(outcome) == (RelayToCoach(7, 500, 42, None),)


def test_yes_off_hours_says_so() -> None:
    off = replace(FIRST_TIME, coach_available=False, coach_back=BACK_TOMORROW)
    outcome = relay.client_confirms(SAM, YES_42, NOW, off)
    assert outcome.replies == (
        sent("relay.sent_off_hours", back=At(BACK_TOMORROW), day=TextRef("relay.day.tomorrow")),
    )
    assert effects(outcome) == (RelayToCoach(7, 500, 42, None), SetRelayDirect(7, True))


def test_no_sends_nothing() -> None:
    outcome = relay.client_confirms(SAM, NO_42, NOW, FIRST_TIME)
    assert keys(outcome) == ["relay.not_sent"]
    assert outcome.replies == (Reply("relay.not_sent", keyboard=Keyboard.CLIENT_MENU),)
    assert effects(outcome) == ()
    assert outcome.chosen == relay.CONFIRM_NO
    assert TEXTS.render("nl", "relay.not_sent") == "Oké, ik stuur het niet."


@pytest.mark.parametrize(
    "data",
    [
        "rl:y:41" + YES_42[len("rl:y:42") :],  # a real seal moved to another message
        YES_42[:-1] + ("A" if YES_42[-1] != "A" else "B"),  # one character off
        YES_42 + "x",
        "rl:y:abc",
        "rl:x:1",
        "rl:y:",
        "rl:y:0",
        "rl:y:-1",
        "rl:y:1:500",
        "rl:Y:1",
        " rl:y:1",
        "rl:y:1 ",
        "rl:y:1234567890123",
        "rl:y:" + "9" * 60,
        "rl:y:٣",  # an Arabic-Indic digit
        "rl:y:²",
        "rs:1",
        "",
    ],
)
def test_forged_confirm_buttons_change_nothing(data: str) -> None:
    outcome = relay.client_confirms(SAM, data, NOW, FIRST_TIME)
    assert outcome == Outcome(notice="common.button_unknown")


@pytest.mark.parametrize(
    "person",
    [
        ANNA,
        replace(SAM, client_step=ClientStep.ENDED),
        replace(SAM, client_step=ClientStep.CONSENT_PENDING),
        replace(SAM, id=None),
        Person.stranger(999, "nl"),
    ],
)
def test_only_an_active_client_can_confirm(person: Person) -> None:
    outcome = relay.client_confirms(person, YES_42, NOW, FIRST_TIME)
    assert outcome == Outcome(notice="common.button_unknown")


def test_a_yes_button_from_before_seals_sends_nothing_and_asks_to_send_again() -> None:
    outcome = relay.client_confirms(SAM, "rl:y:42", NOW, FIRST_TIME)
    assert keys(outcome) == ["relay.send_again"]
    assert effects(outcome) == ()
    assert TEXTS.render("nl", "relay.send_again") == (
        "Die knop is oud. Stuur je bericht nog een keer."
    )


def test_without_a_key_no_seal_passes() -> None:
    keyless = replace(FIRST_TIME, button_key=b"")
    sealed = relay.confirm_data(True, 42, keyless)
    assert relay.parse_confirm_data(sealed, keyless) is None


def test_confirm_data_round_trips_only_in_the_chat_and_under_the_key_it_was_sealed_for() -> None:
    assert YES_42.startswith("rl:y:42:") and len(YES_42.encode()) <= 64
    assert relay.parse_confirm_data(YES_42, FIRST_TIME) == (True, 42)
    big = relay.confirm_data(False, 999999999999, FIRST_TIME)
    assert relay.parse_confirm_data(big, FIRST_TIME) == (False, 999999999999)
    assert len(big.encode()) <= 64
    assert relay.parse_confirm_data(YES_42, replace(FIRST_TIME, chat_id=501)) is None
    assert relay.parse_confirm_data(YES_42, replace(FIRST_TIME, button_key=b"other")) is None
    assert kind_of(big) is ButtonKind.RELAY_CONFIRM
    assert kind_of(relay.seen_data(7)) is ButtonKind.RELAY_SEEN


# -- delivery failed --------------------------------------------------------------------------


def test_a_message_that_cannot_reach_the_coach_is_never_silent() -> None:
    outcome = relay.relay_failed(TO_ANNA, NOW)
    assert keys(outcome) == ["relay.failed"]
    assert outcome.replies == (
        Reply(
            "relay.failed",
            {"coach": "Anna"},
            keyboard=Keyboard.CLIENT_MENU,
            to=Recipient.CLIENT,
        ),
    )
    assert effects(outcome) == ()
    text = TEXTS.render("nl", "relay.failed", {"coach": "Anna"})
    assert text.startswith("Je bericht kon niet bij Anna komen.")
    assert "Noodknop" in text and "112" in text and "organisatie" in text


def test_a_failed_relay_to_an_ended_client_or_to_a_client() -> None:
    assert relay.relay_failed(replace(TO_ANNA, client_active=False), NOW) == Outcome()
    outcome = relay.relay_failed(TO_SAM, NOW)
    assert keys(outcome) == ["coach_relay.failed"]
    assert outcome.replies == (Reply("coach_relay.failed", {"client": "Sam"}, to=Recipient.COACH),)


# -- seen -------------------------------------------------------------------------------------


def test_seen_tells_the_client_once() -> None:
    outcome = relay.seen(ANNA, TO_ANNA, NOW)
    assert keys(outcome) == ["relay.seen"]
    assert outcome.replies == (
        Reply("relay.seen", {"coach": "Anna"}, keyboard=Keyboard.CLIENT_MENU, to=Recipient.CLIENT),
    )
    assert effects(outcome) == (MarkRelaySeen(3, 1),)
    assert outcome.notice == "coach_relay.marked_seen"
    assert TEXTS.render("nl", "relay.seen", {"coach": "Anna"}) == "Anna heeft je bericht gezien."
    again = relay.seen(ANNA, replace(TO_ANNA, seen=True), NOW)
    assert again == Outcome(notice="coach_relay.marked_seen")


def test_seen_for_an_ended_client_is_recorded_without_a_message() -> None:
    outcome = relay.seen(ANNA, replace(TO_ANNA, client_active=False), NOW)
    assert outcome == made(effects=(MarkRelaySeen(3, 1),), notice="coach_relay.marked_seen")


@pytest.mark.parametrize(
    "person, view",
    [
        (BRAM, TO_ANNA),  # not this coach's client
        (ANNA, None),  # no such relay
        (ANNA, TO_SAM),  # a message to the client has no "seen" button
        (replace(ANNA, coach_active=False), TO_ANNA),
        (SAM, TO_ANNA),  # a client cannot press it
        (replace(SAM, id=1), TO_ANNA),  # not even with a coach's id
        (Person.stranger(999, "nl"), TO_ANNA),
    ],
)
def test_seen_by_someone_else_changes_nothing(person: Person, view: RelayView | None) -> None:
    assert relay.seen(person, view, NOW) == Outcome(notice="common.button_unknown")


@pytest.mark.parametrize(
    "data, parsed",
    [
        ("rs:3", 3),
        ("rs:2147483647", 2147483647),  # the largest id a row can have
        ("rs:2147483648", None),
        ("rs:999999999999", None),
        ("rs:-1", None),
        ("rs:0", None),
        ("rs:", None),
        ("rs:abc", None),
        ("rs:3 ", None),
        ("rs:3:4", None),
        ("rs:1234567890123", None),
        ("rs:" + "1" * 100, None),
        ("rs:٣", None),
        ("rl:y:3", None),
    ],
)
def test_seen_data_is_parsed_strictly(data: str, parsed: int | None) -> None:
    assert relay.parse_seen_data(data) == parsed


def test_the_copy_gets_a_header_and_the_coach_a_seen_button() -> None:
    header = relay.relayed_header(TO_ANNA)
    assert header == Reply("coach_relay.from_client", {"client": "Sam"}, to=Recipient.COACH)
    assert TEXTS.render("nl", header.key, header.params) == "💬 Bericht van Sam:"
    assert relay.copy_buttons(TO_ANNA) == ((Button("coach_relay.seen_button", "rs:3"),),)
    assert relay.seen_data(3) == "rs:3"
    assert TEXTS.render("nl", relay.SEEN_BUTTON) == "✓ Gezien"
    to_client = relay.relayed_header(TO_SAM)
    assert to_client == Reply(
        "relay.from_coach", {"coach": "Anna"}, to=Recipient.CLIENT, keyboard=Keyboard.CLIENT_MENU
    )
    assert TEXTS.render("nl", to_client.key, to_client.params) == "💬 Bericht van Anna:"
    assert relay.copy_buttons(TO_SAM) == ()
    assert relay.COACH_HEADER == "coach_relay.from_client"
    assert relay.CLIENT_HEADER == "relay.from_coach"
    assert len(relay.seen_data(999999999999).encode()) <= 64


# -- coach -> client --------------------------------------------------------------------------


def coach_sent(client: str = "Sam") -> Reply:
    return Reply("coach_relay.sent", {"client": client}, keyboard=Keyboard.COACH_MENU)


def test_a_reply_to_a_clients_message_goes_to_that_client_and_counts_as_seen() -> None:
    answer = replace(COACH_HELLO, reply_to=60)
    outcome = relay.coach_sends(ANNA, answer, NOW, CoachRelayContext(reply_target=TO_ANNA))
    assert keys(outcome) == ["coach_relay.sent", "relay.seen"]
    assert outcome is not None
    assert outcome.replies == (
        coach_sent(),
        Reply("relay.seen", {"coach": "Anna"}, keyboard=Keyboard.CLIENT_MENU, to=Recipient.CLIENT),
    )
    assert effects(outcome) == (
        RelayToClient(1, 7, 100, 77, "text", answers_relay_id=3),
        MarkRelaySeen(3, 1),
    )


def test_a_reply_to_a_seen_message_or_to_the_coachs_own_relay() -> None:
    voice = OtherMessage("voice", message_id=78, chat_id=100, reply_to=60, file_size=5000)
    ctx = CoachRelayContext(reply_target=replace(TO_ANNA, seen=True))
    outcome = relay.coach_sends(ANNA, voice, NOW, ctx)
    assert outcome == made(
        replies=(coach_sent(),), effects=(RelayToClient(1, 7, 100, 78, "voice", 3),)
    )
    own = relay.coach_sends(ANNA, voice, NOW, CoachRelayContext(reply_target=TO_SAM))
    assert own == made(replies=(coach_sent(),), effects=(RelayToClient(1, 7, 100, 78, "voice", 4),))


@pytest.mark.parametrize(
    "person, target",
    [
        (BRAM, TO_ANNA),  # another coach's client
        (ANNA, replace(TO_ANNA, client_active=False)),  # an ended client
        (ANNA, replace(TO_ANNA, coach_id=2)),  # moved to another coach
    ],
)
def test_a_reply_to_someone_elses_client_is_not_sent(person: Person, target: RelayView) -> None:
    answer = replace(COACH_HELLO, chat_id=person.telegram_user_id, reply_to=60)
    outcome = relay.coach_sends(person, answer, NOW, CoachRelayContext(reply_target=target))
    assert outcome == Outcome(replies=(Reply("coach_relay.not_your_client"),))


def test_a_reply_to_something_else_explains_how_to_send() -> None:
    answer = replace(COACH_HELLO, reply_to=61)
    outcome = relay.coach_sends(ANNA, answer, NOW, CoachRelayContext())
    assert keys(outcome) == ["coach_relay.reply_unknown"]
    assert outcome == Outcome(replies=(Reply("coach_relay.reply_unknown"),))
    # While another question is open (the name of a new client) the router answers it.
    naming = replace(ANNA, awaiting="client_name")
    assert relay.coach_sends(naming, answer, NOW, CoachRelayContext()) is None


def test_after_bericht_the_next_message_goes_to_that_client() -> None:
    waiting = replace(ANNA, awaiting="message:7")
    ctx = CoachRelayContext(awaiting_client=ClientRef(7, "Sam"))
    photo = OtherMessage("photo", message_id=79, chat_id=100, file_size=300_000)
    outcome = relay.coach_sends(waiting, photo, NOW, ctx)
    assert keys(outcome) == ["coach_relay.sent"]
    assert outcome == made(
        replies=(coach_sent(),),
        effects=(RelayToClient(1, 7, 100, 79, "photo", None), AwaitInput(1, None)),
    )
    # A reply to an unrelated message goes nowhere (it may be about someone else); the
    # /bericht stays pending.
    replying = relay.coach_sends(waiting, replace(COACH_HELLO, reply_to=5), NOW, ctx)
    assert replying is not None
    assert effects(replying) == ()
    assert keys(replying) == ["coach_relay.reply_unknown"]


def test_a_reply_to_a_relay_wins_over_bericht() -> None:
    waiting = replace(ANNA, awaiting="message:8")
    ctx = CoachRelayContext(reply_target=TO_ANNA, awaiting_client=ClientRef(8, "Zoë"))
    outcome = relay.coach_sends(waiting, replace(COACH_HELLO, reply_to=60), NOW, ctx)
    assert outcome is not None
    assert effects(outcome) == (RelayToClient(1, 7, 100, 77, "text", 3), MarkRelaySeen(3, 1))


def test_bericht_for_a_client_who_is_gone() -> None:
    waiting = replace(ANNA, awaiting="message:9")
    outcome = relay.coach_sends(waiting, COACH_HELLO, NOW, CoachRelayContext())
    assert keys(outcome) == ["coach_relay.client_gone"]
    assert outcome == Outcome(
        replies=(Reply("coach_relay.client_gone", keyboard=Keyboard.COACH_MENU),),
        effects=(AwaitInput(1, None),),
    )


@pytest.mark.parametrize("kind", sorted(relay.UNSUPPORTED_KINDS))
def test_a_coach_cannot_relay_polls_and_such(kind: str) -> None:
    waiting = replace(ANNA, awaiting="message:7")
    message = OtherMessage(kind, message_id=80, chat_id=100)
    for ctx in (
        CoachRelayContext(awaiting_client=ClientRef(7, "Sam")),
        CoachRelayContext(reply_target=TO_ANNA),
    ):
        outcome = relay.coach_sends(waiting, message, NOW, ctx)
        assert outcome == Outcome(replies=(Reply("coach_relay.unsupported"),))  # still awaiting


@pytest.mark.parametrize("size, relayed", [(20 * MB, True), (20 * MB + 1, False)])
def test_a_coach_message_over_the_size_limit(size: int, relayed: bool) -> None:
    video = OtherMessage("video", message_id=81, chat_id=100, reply_to=60, file_size=size)
    outcome = relay.coach_sends(ANNA, video, NOW, CoachRelayContext(reply_target=TO_ANNA))
    if relayed:
        assert keys(outcome) == ["coach_relay.sent", "relay.seen"]
    else:
        assert outcome == Outcome(replies=(Reply("coach_relay.too_big", {"max_mb": 20}),))
        assert "20 MB" in TEXTS.render("nl", "coach_relay.too_big", {"max_mb": 20})


@pytest.mark.parametrize(
    "person, event, ctx",
    [
        (ANNA, COACH_HELLO, CoachRelayContext()),  # plain text, nothing pending
        (replace(ANNA, awaiting="client_name"), COACH_HELLO, CoachRelayContext()),
        # a team group chat is never a way to reach a client
        (ANNA, replace(COACH_HELLO, chat_id=-900, reply_to=60), CoachRelayContext(TO_ANNA)),
        (ANNA, Text("Hoi", reply_to=60), CoachRelayContext(TO_ANNA)),  # no message id
        (replace(ANNA, coach_active=False), COACH_HELLO, CoachRelayContext(TO_ANNA)),
        (SAM, HELLO, CoachRelayContext(TO_ANNA)),
        (Person.stranger(999, "nl"), COACH_HELLO, CoachRelayContext(TO_ANNA)),
    ],
)
def test_coach_messages_that_are_not_about_relaying_fall_through(
    person: Person, event: Text, ctx: CoachRelayContext
) -> None:
    assert relay.coach_sends(person, event, NOW, ctx) is None


# -- /bericht ---------------------------------------------------------------------------------

CLIENTS = (ClientRef(7, "Sam"), ClientRef(8, "Zoë Jansen"), ClientRef(9, "bram"))


def ask(client_id: int, name: str) -> Outcome:
    return Outcome(
        replies=(Reply("coach_relay.ask_message", {"client": name}),),
        effects=(AwaitInput(1, f"message:{client_id}"),),
    )


@pytest.mark.parametrize(
    "args, client_id, name",
    [
        ("Sam", 7, "Sam"),
        ("sam", 7, "Sam"),
        ("  SAM ", 7, "Sam"),
        ("zoe", 8, "Zoë Jansen"),
        ("Zoë", 8, "Zoë Jansen"),
        ("zoe   JANSEN", 8, "Zoë Jansen"),
        ("Bram", 9, "bram"),
    ],
)
def test_bericht_finds_the_client_by_name(args: str, client_id: int, name: str) -> None:
    outcome = relay.start_message(ANNA, args, CLIENTS)
    assert keys(outcome) == ["coach_relay.ask_message"]
    assert outcome == ask(client_id, name)
    assert relay.awaiting_message_for(f"message:{client_id}") == client_id
    assert TEXTS.render("nl", "coach_relay.ask_message", {"client": "Sam"}) == (
        "Wat wil je naar Sam sturen? Typ het, of stuur een spraakbericht, foto of iets anders. "
        "Toch niets sturen? Typ /annuleer."
    )


def test_bericht_with_an_unknown_name_lists_the_clients() -> None:
    outcome = relay.start_message(ANNA, "Kees", CLIENTS)
    assert keys(outcome) == ["coach_relay.not_found"]
    assert outcome == Outcome(
        replies=(
            Reply("coach_relay.not_found", {"name": "Kees", "clients": "bram, Sam, Zoë Jansen"}),
        )
    )
    # An earlier /bericht no longer points at someone else.
    waiting = replace(ANNA, awaiting="message:7")
    assert effects(relay.start_message(waiting, "Kees", CLIENTS)) == (AwaitInput(1, None),)
    long = relay.start_message(ANNA, "x" * 500, CLIENTS)
    assert long.replies[0].params["name"] == "x" * 40


def test_bericht_with_a_shared_first_name_asks_for_the_whole_name() -> None:
    clients = (ClientRef(7, "Sam de Vries"), ClientRef(8, "Sam Bakker"), ClientRef(9, "Zoë"))
    outcome = relay.start_message(ANNA, "sam", clients)
    assert keys(outcome) == ["coach_relay.ambiguous"]
    assert outcome == Outcome(
        replies=(
            Reply("coach_relay.ambiguous", {"name": "sam", "clients": "Sam Bakker, Sam de Vries"}),
        )
    )
    assert relay.start_message(ANNA, "Sam Bakker", clients) == ask(8, "Sam Bakker")
    # The whole name wins over a first name: "Sam" is Sam, not Sam Bakker.
    assert relay.start_message(ANNA, "Sam", (ClientRef(7, "Sam"), ClientRef(8, "Sam Bakker"))) == (
        ask(7, "Sam")
    )
    twins = relay.start_message(ANNA, "Sam", (ClientRef(7, "Sam"), ClientRef(8, "sam")))
    assert keys(twins) == ["coach_relay.ambiguous"]


def test_bericht_without_a_name_asks_which_client() -> None:
    outcome = relay.start_message(ANNA, "  ", CLIENTS)
    assert keys(outcome) == ["coach_relay.ask_which"]
    assert outcome == Outcome(
        replies=(
            Reply("coach_relay.ask_which", {"clients": "bram, Sam, Zoë Jansen", "example": "bram"}),
        )
    )


def test_bericht_without_clients() -> None:
    outcome = relay.start_message(replace(ANNA, awaiting="message:7"), "Sam", ())
    assert keys(outcome) == ["coach_relay.no_clients"]
    assert effects(outcome) == (AwaitInput(1, None),)


@pytest.mark.parametrize(
    "awaiting, client_id",
    [
        ("message:7", 7),
        ("message:999999999999", 999999999999),
        (None, None),
        ("client_name", None),
        ("message:", None),
        ("message:7x", None),
        ("message:-1", None),
        ("message:1234567890123", None),
    ],
)
def test_awaiting_message_for(awaiting: str | None, client_id: int | None) -> None:
    assert relay.awaiting_message_for(awaiting) == client_id
    assert relay.AWAITING_MESSAGE_PREFIX == "message:"

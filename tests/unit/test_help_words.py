"""Help words ("hulp", "SOS", "ik wil dood"): what counts, and what the pure dialog does with
them in every state, with a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from bot.checkins import load_question_books
from bot.texts import load_texts
from bot.urgency import is_alert_event
from bot.words import load_words
from content import CONTENT_DIR
from dialogs import help_words, relay
from dialogs.buttons import ButtonKind, kind_of
from dialogs.checkin import CheckinContext, saved_state, start_checkin
from dialogs.events import MenuItem, MenuPress, Tap, Text
from dialogs.help_words import Heard, recognise
from dialogs.noodknop import AlertView
from dialogs.outcome import (
    Button,
    CopyToAlertTeam,
    Keyboard,
    Outcome,
    RaiseAlert,
    Recipient,
    RepeatPress,
    TakeBackAccident,
)
from dialogs.people import ClientStep
from dialogs.relay import RelayContext
from dialogs.relay_effects import AwaitClientMessage, RelayToCoach
from dialogs.router import DialogContext, route
from dialogs.words import WordsError, parse_words
from tests.unit.people import SAM

# Monday 2 November 2026, 10:00 in Amsterdam (CET, UTC+1).
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WORDS = load_words("nl")
DUTCH, ENGLISH = WORDS["nl"], WORDS["en"]
TEXTS = load_texts("nl")
FIRST_TIME = RelayContext(chat_id=500, button_key=b"k" * 32)
DIRECT = replace(FIRST_TIME, relay_direct=True)
AWAITING = replace(FIRST_TIME, awaiting_message=True)
ALERT = AlertView(
    id=9,
    client_id=7,
    client_name="Sam",
    coach_name="Anna",
    pressed_at=NOW,
    coach_id=1,
    asked_coach_ids=frozenset({1}),  # Anna is asked
)


def hulp(text: str = "hulp", message_id: int = 42) -> Text:
    return Text(text, message_id=message_id, chat_id=500)


def said(text: str = "hulp", relay_ctx: RelayContext = FIRST_TIME, **context: Any) -> Outcome:
    ctx = DialogContext(words=DUTCH, client_relay=relay_ctx, **context)
    return route(SAM, hulp(text), NOW, ctx)


def keys(outcome: Outcome) -> list[str]:
    return [reply.key for reply in outcome.replies]


# -- what counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        *("hulp", "Hulp!", "HELP", "help!!", "nood", "SOS", "🆘", "ik weet het niet meer"),
        *("Hulp?", "ik heb hulp nodig", "Help me", "hulp nodig!", "ik ben in nood"),
        "Hallo, hulp alsjeblieft",
    ],
)
def test_help_words_are_heard_however_they_are_typed(typed: str) -> None:
    assert recognise(typed, DUTCH) is Heard.HELP


@pytest.mark.parametrize(
    "typed",
    [
        *("ik wil dood", "Soms denk ik: ik wil dood.", "ZELFMOORD", "112", "bel 112!"),
        *("ik wil niet meer leven", "I want to die", "suicide", "help, 112"),
    ],
)
def test_words_of_danger_are_heard_as_danger(typed: str) -> None:
    assert recognise(typed, DUTCH) is Heard.DANGER


@pytest.mark.parametrize(
    "typed",
    [
        "de thuishulp komt morgen",  # "hulp" inside another word
        "ik heb de helpdesk gebeld",
        "hulpverlener",
        "zelfmoordpreventie",  # a danger word inside another word
        "ik heb hulp nodig met mijn brief van de gemeente",  # a message that mentions help
        "ik heb 112 euro schuld",
        "ik weet het niet",  # "Weet ik niet" to a question, not "ik weet het niet meer"
        "ik",
        "ja",
        "",
        "!!!",
    ],
)
def test_other_text_is_no_help_words(typed: str) -> None:
    assert recognise(typed, DUTCH) is None


def test_an_english_client_is_heard_in_english_and_dutch() -> None:
    assert recognise("I need help please", ENGLISH) is Heard.HELP
    assert recognise("hulp", ENGLISH) is Heard.HELP
    assert recognise("I don't know anymore", ENGLISH) is Heard.HELP
    assert recognise("sometimes I want to kill myself", ENGLISH) is Heard.DANGER
    assert recognise("helpful", ENGLISH) is None


# Feeling unsafe, scared or in panic is asking for help: the whole message, fillers around it.
@pytest.mark.parametrize(
    "typed",
    [
        *("ik voel me niet veilig", "Ik voel me niet veilig.", "ik ben bang", "Ik ben bang!!"),
        *("ik ben niet veilig", "ik ben in paniek", "help me", "Help me!", "IK BEN IN PANIEK"),
        *("hallo, ik voel me niet veilig", "ik ben bang 😢", "ik voel me niet veilig, help me"),
    ],
)
def test_feeling_unsafe_or_scared_is_heard_as_help_in_dutch(typed: str) -> None:
    assert recognise(typed, DUTCH) is Heard.HELP


@pytest.mark.parametrize(
    "typed",
    [
        *("I don't feel safe", "I don’t feel safe", "i dont feel safe", "I do not feel safe"),
        *("I am scared", "I'm scared", "I’m scared!", "im scared", "I am not safe"),
        *("I'm panicking", "I’m panicking", "I am panicking", "help me", "Help me please"),
        "ik voel me niet veilig",  # an English client is understood in Dutch too
    ],
)
def test_feeling_unsafe_or_scared_is_heard_as_help_in_english(typed: str) -> None:
    assert recognise(typed, ENGLISH) is Heard.HELP


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("ik ben bang dat de bus te laat is", DUTCH),  # an ordinary sentence stays ordinary
        ("Ik ben bang dat het gaat regenen", DUTCH),
        ("ik ben bang voor honden", DUTCH),
        ("ik voel me niet veilig bij de nieuwe buurman, wat moet ik doen?", DUTCH),
        ("ik ben in paniek geraakt door die brief", DUTCH),
        ("ik ben niet veilig gefietst", DUTCH),
        ("I am scared the bus will be late", ENGLISH),
        ("I'm scared of spiders", ENGLISH),
        ("I don't feel safe with the new neighbour, what should I do?", ENGLISH),
        ("ik ben bang dat de bus te laat is", ENGLISH),
    ],
)
def test_a_sentence_that_only_mentions_fear_is_an_ordinary_message(typed: str, words: Any) -> None:
    assert recognise(typed, words) is None


# A word like "echt" inside a phrase changes nothing: the phrase is still heard.
@pytest.mark.parametrize(
    "typed",
    [
        *("ik ben echt bang", "ik voel me echt niet veilig", "ik ben heel erg bang"),
        *("ik ben zo bang", "Ik ben zó bang!!", "ik voel me gewoon niet veilig"),
        *("ik ben een beetje bang", "ik ben echt heel erg bang", "ik ben nu in paniek"),
        *("ik ben super bang 😢", "hallo, ik ben ontzettend bang", "ik ben echt heel bang"),
        *("ik weet het echt niet meer", "ik voel me niet echt veilig"),
    ],
)
def test_a_help_phrase_with_a_word_like_echt_inside_it_is_heard(typed: str) -> None:
    assert recognise(typed, DUTCH) is Heard.HELP


@pytest.mark.parametrize(
    "typed",
    [
        *("ik wil echt dood", "soms denk ik: ik wil gewoon dood", "ik wil echt niet meer leven"),
        *("ik kan echt niet meer", "ik wil er echt een einde aan maken", "ik wil nu dood"),
        *("I just want to die", "I really don't want to live"),
    ],
)
def test_a_danger_phrase_with_a_word_like_echt_inside_it_is_danger(typed: str) -> None:
    assert recognise(typed, DUTCH) is Heard.DANGER


@pytest.mark.parametrize(
    "typed",
    [
        *("I'm really scared", "I really don't feel safe", "I am a bit scared"),
        *("I'm so very scared", "I am just so scared", "ik ben echt bang"),
    ],
)
def test_an_english_help_phrase_with_really_inside_it_is_heard(typed: str) -> None:
    assert recognise(typed, ENGLISH) is Heard.HELP


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        # "niet" keeps its meaning: it is no word that may stand inside a phrase.
        ("ik ben niet bang", DUTCH),
        ("ik ben echt niet bang", DUTCH),
        ("ik ben niet echt bang", DUTCH),
        ("ik voel me wel veilig", DUTCH),
        ("ik voel me echt veilig", DUTCH),
        ("ik wil echt niet dood", DUTCH),
        ("I'm not scared", ENGLISH),
        ("I'm really not scared", ENGLISH),
        # Only the listed words: a sentence around the phrase stays a sentence.
        ("ik ben echt bang dat de bus te laat is", DUTCH),
        ("ik ben zo bang voor honden", DUTCH),
        ("ik ben een bang", DUTCH),  # "een" alone is not "een beetje"
        ("ik ben heel blij", DUTCH),
    ],
)
def test_not_bang_with_or_without_echt_is_no_help(typed: str, words: Any) -> None:
    assert recognise(typed, words) is None


# Review: "helemaal", "even", "net", "eigenlijk", "ook" and emoji inside a phrase.
@pytest.mark.parametrize(
    ("typed", "words", "heard"),
    [
        ("ik voel me helemaal niet veilig", DUTCH, Heard.HELP),
        ("kun je me even helpen", DUTCH, Heard.HELP),
        ("ik ben ook bang", DUTCH, Heard.HELP),
        ("ik ben eigenlijk best bang", DUTCH, Heard.HELP),
        ("ik ben bang ❤️", DUTCH, Heard.HELP),  # the emoji's variation selector is no word
        ("ik ben 😭😭 bang!!", DUTCH, Heard.HELP),
        ("ik heb net pillen genomen", DUTCH, Heard.DANGER),
        ("ik wil 😭 dood", DUTCH, Heard.DANGER),
        ("ik wil ❤️ dood", DUTCH, Heard.DANGER),
        ("ik wil ‼️ dood", DUTCH, Heard.DANGER),
        ("ik wil — dood", DUTCH, Heard.DANGER),
        ("ik wil eigenlijk dood", DUTCH, Heard.DANGER),
        ("I actually want to die", ENGLISH, Heard.DANGER),
        ("I am also scared", ENGLISH, Heard.HELP),
        ("I'm totally scared", ENGLISH, Heard.HELP),
        ("I just don't feel safe", ENGLISH, Heard.HELP),
    ],
)
def test_more_words_and_emoji_inside_a_phrase_are_heard(
    typed: str, words: Any, heard: Heard
) -> None:
    assert recognise(typed, words) is heard


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("ik ben helemaal niet bang", DUTCH),
        ("ik ben echt niet bang", DUTCH),
        ("ik ben ook niet bang", DUTCH),
        ("ik ben eigenlijk niet bang", DUTCH),
        ("ik ben 😭 niet bang", DUTCH),
        ("ik wil eigenlijk niet dood", DUTCH),
        ("ik ben zo bang dat ik te laat kom", DUTCH),
        ("ik ben ook bang voor honden", DUTCH),
        ("ik heb net pillen gekocht", DUTCH),
        ("I'm also not scared", ENGLISH),
        ("I'm totally not scared", ENGLISH),
    ],
)
def test_niet_still_keeps_its_meaning_with_the_new_words(typed: str, words: Any) -> None:
    assert recognise(typed, words) is None


def test_ik_heb_pillen_genomen_tegen_hoofdpijn_is_danger_with_or_without_net() -> None:
    assert recognise("ik heb pillen genomen tegen hoofdpijn", DUTCH) is Heard.DANGER
    assert recognise("ik heb net pillen genomen tegen hoofdpijn", DUTCH) is Heard.DANGER


def test_a_client_who_does_not_feel_safe_gets_the_noodknop_offered() -> None:
    outcome = said("ik voel me niet veilig")
    assert keys(outcome) == ["help_words.offer", "relay.confirm"]
    assert outcome.replies[0].buttons == ((Button("menu.noodknop", "hn"),),)
    assert outcome.effects == ()
    ordinary = said("ik ben bang dat de bus te laat is")
    assert "help_words.offer" not in keys(ordinary)


def _broken(**change: Any) -> dict[str, Any]:
    path = CONTENT_DIR / "nl" / "words.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["words"] = {**data["words"], **change}
    return data


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"help": []}, "words.help: expected a non-empty list"),
        ({"danger": None}, "words.danger: expected a non-empty list"),
        ({"help": ["hulp", "ja"]}, "'ja' is an answer to a question too"),
        ({"emergency": ["112", "hulp"]}, "'hulp' is also in help"),
        ({"help_between": ["echt", "niet"]}, "'niet': 'niet' is a word of a no answer"),
        ({"help_between": ["liever niet"]}, "'liever niet': 'liever' is a word of a no answer"),
        ({"help_between": []}, "words.help_between: expected a non-empty list"),
        ({"danger_not": []}, "words.danger_not: expected a non-empty list"),
        ({"help_not_a_name": None}, "words.help_not_a_name: expected a non-empty list"),
        ({"danger_between": []}, "words.danger_between: expected a non-empty list"),
        ({"danger_between": ["morgen", "niet"]}, "danger_between: 'niet': 'niet' is a word of"),
    ],
)
def test_a_broken_help_list_is_refused_with_a_reason(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(WordsError, match=problem):
        parse_words(_broken(**change))


# -- an active client -----------------------------------------------------------------------------


def test_help_words_get_the_noodknop_and_the_offer_to_send_them() -> None:
    outcome = said("Hulp!")
    assert keys(outcome) == ["help_words.offer", "relay.confirm"]
    assert outcome.effects == ()  # nothing is sent before the client says so
    offer, question = outcome.replies
    assert offer.buttons == ((Button("menu.noodknop", "hn"),),)
    [[yes, no]] = question.buttons
    assert yes.data == help_words.send_data(True, 42, FIRST_TIME)
    assert no.data == help_words.send_data(False, 42, FIRST_TIME)
    assert kind_of(yes.data) is ButtonKind.HELP_WORDS


def test_a_coach_menu_label_typed_by_a_client_is_the_word_itself() -> None:
    typed = MenuPress(MenuItem.HELP, typed=hulp("Hulp"))
    outcome = route(SAM, typed, NOW, DialogContext(words=DUTCH, client_relay=FIRST_TIME))
    assert keys(outcome) == ["help_words.offer", "relay.confirm"]


def test_when_messages_go_straight_on_the_words_go_with_a_help_header() -> None:
    outcome = said("SOS", DIRECT)
    assert keys(outcome) == ["help_words.offer", "relay.sent"]
    assert outcome.effects == (RelayToCoach(7, 500, 42, "text", help_words.HELP_HEADER),)
    after_the_menu_button = said("hulp", AWAITING)
    assert after_the_menu_button.effects == (
        RelayToCoach(7, 500, 42, "text", help_words.HELP_HEADER),
        AwaitClientMessage(7, False),
    )


def test_words_of_danger_raise_an_alert_of_their_own_and_name_112_and_113() -> None:
    outcome = said("ik wil dood")
    assert keys(outcome) == ["alert.new_message", "help_words.numbers"]  # Sam: no number
    assert outcome.effects == (RaiseAlert(7, words=(500, 42)),)
    assert outcome.replies[0].urgent and outcome.replies[0].to is Recipient.NEW_ALERT_RECIPIENTS
    what = outcome.replies[0].params["what"]
    assert TEXTS.render("nl", what.key, what.params).startswith("stuurde om")
    numbers = TEXTS.render("nl", "help_words.numbers")
    assert "112" in numbers and "113" in numbers and "0800-0113" in numbers


def test_during_a_checkin_help_words_are_no_answer_and_the_question_comes_again() -> None:
    questions = load_question_books()["nl"].current
    checkin_ctx = CheckinContext(client_id=7, coach="Anna", questions=questions, words=DUTCH)
    state = saved_state(start_checkin(41, NOW, checkin_ctx))
    assert state is not None
    outcome = said("help", checkin=state, checkin_context=checkin_ctx)
    assert keys(outcome)[:2] == ["help_words.offer", "relay.confirm"] and len(keys(outcome)) == 3
    assert outcome.replies[-1].lead == "checkin.continue"
    assert outcome.effects == (), "the check-in is not answered or changed"


def test_during_an_open_alert_the_words_are_added_to_it() -> None:
    outcome = said("hulp", open_alert=ALERT)
    assert outcome.effects == (CopyToAlertTeam(9, 500, 42, event="help_words"),)
    assert keys(outcome) == ["help_words.added_to_alert", "coach_help.added_to_alert"]
    team = outcome.replies[-1]
    assert team.to is Recipient.ALERT_TEAM and team.urgent and team.params == {"client": "Sam"}
    danger = said("zelfmoord", open_alert=ALERT)
    assert keys(danger) == [
        "help_words.added_to_alert",
        "help_words.numbers",
        "coach_help.danger_added_to_alert",
    ]
    nobody = said("hulp", open_alert=replace(ALERT, asked_coach_ids=frozenset()))
    assert keys(nobody)[0] == "noodknop.still_open_nobody", "no 'ik stuur dit mee' to nobody"
    called_off = said("hulp", open_alert=replace(ALERT, accidental=True))
    assert TakeBackAccident(9) in called_off.effects, "help words say it was no accident"
    # Sam hears it is on again, with the location key back; Sam shared no number here: the
    # team is asked for a message, not a call.
    assert keys(called_off)[:2] == ["noodknop.back_on", "alert.accident_taken_back_message"]
    assert called_off.replies[0].keyboard is Keyboard.CLIENT_ALERT_MENU


def test_a_closed_alert_is_no_open_alert() -> None:
    assert keys(said("hulp", open_alert=replace(ALERT, closed=True)))[0] == "help_words.offer"


# -- before consent, after stopping ---------------------------------------------------------------


@pytest.mark.parametrize("step", [ClientStep.CONSENT_PENDING, ClientStep.VOICE_PENDING])
def test_before_joining_nothing_is_stored_and_the_question_comes_again(step: ClientStep) -> None:
    person = replace(SAM, client_step=step)
    outcome = route(person, hulp("hulp"), NOW, DialogContext(words=DUTCH))
    assert outcome.effects == ()
    assert keys(outcome)[:2] == ["help_words.outside", "onboarding.finish_first"]
    danger = route(person, hulp("ik wil dood"), NOW, DialogContext(words=DUTCH))
    assert danger.effects == () and keys(danger)[0] == "help_words.numbers"


def test_a_client_who_stopped_hears_the_numbers_and_nothing_is_passed_on() -> None:
    person = replace(SAM, client_step=ClientStep.ENDED)
    outcome = route(person, hulp("ik wil dood"), NOW, DialogContext(words=DUTCH))
    assert keys(outcome) == ["help_words.numbers", "ended.noodknop"]
    assert outcome.effects == ()


# -- the buttons ----------------------------------------------------------------------------------


def press(data: str, relay_ctx: RelayContext = FIRST_TIME, **context: Any) -> Outcome:
    ctx = DialogContext(words=DUTCH, client_relay=relay_ctx, **context)
    return route(SAM, Tap(data, 500), NOW, ctx)


def test_the_noodknop_button_presses_the_noodknop_and_is_urgent() -> None:
    assert RaiseAlert(7) in press("hn").effects
    assert RepeatPress(9) in press("hn", open_alert=ALERT).effects
    assert is_alert_event(Tap("hn", 500))
    assert not is_alert_event(Tap(help_words.send_data(True, 42, FIRST_TIME), 500))
    assert press("hn:1").notice == "common.button_unknown"
    joining = route(replace(SAM, client_step=ClientStep.CONSENT_PENDING), Tap("hn"), NOW)
    assert joining.effects == () and joining.notice == "common.button_unknown"


def test_yes_sends_the_words_and_no_sends_nothing() -> None:
    yes = press(help_words.send_data(True, 42, FIRST_TIME))
    assert yes.effects == (RelayToCoach(7, 500, 42, "text", help_words.HELP_HEADER),)
    assert keys(yes) == ["relay.sent"] and yes.chosen == relay.CONFIRM_YES
    no = press(help_words.send_data(False, 42, FIRST_TIME))
    assert no.effects == () and keys(no) == ["relay.not_sent"]


def test_a_forged_or_foreign_send_button_sends_nothing() -> None:
    real = help_words.send_data(True, 42, FIRST_TIME)
    other_chat = replace(FIRST_TIME, chat_id=501)
    forged = [
        "hw:y:42",
        real.replace(":42:", ":43:"),  # the seal is for message 42 only
        help_words.send_data(True, 42, other_chat),  # sealed for another chat
        relay.confirm_data(True, 42, FIRST_TIME).replace("rl:", "hw:"),  # a relay seal
        real + "x",
        "hw:y:0:" + real.rsplit(":", 1)[1],
    ]
    for data in forged:
        outcome = press(data)
        assert outcome.effects == () and outcome.notice == "common.button_unknown", data
    without_key = press(real, replace(FIRST_TIME, button_key=b""))
    assert without_key.effects == ()


# -- texts ----------------------------------------------------------------------------------------


def test_every_help_text_is_in_every_language() -> None:
    keys_used = [
        "help_words.offer",
        "help_words.danger_offer",
        "help_words.numbers",
        "help_words.added_to_alert",
        "help_words.outside",
        help_words.HELP_HEADER,
        "coach_help.added_to_alert",
        "coach_help.danger_added_to_alert",
    ]
    for language in TEXTS.languages:
        for key in keys_used:
            assert TEXTS.render(language, key, {"coach": "Anna", "client": "Sam"})


@pytest.mark.parametrize(
    ("typed", "heard"),
    [
        # How an anxious client types: emoji, the coach's name, one word more, dotted "aub".
        ("ik wil dood😢", Heard.DANGER),
        ("hulp 🙏", Heard.HELP),
        ("help me!!! 😭", Heard.HELP),
        ("🆘🆘", Heard.HELP),
        ("Anna, hulp!", Heard.HELP),
        ("hulp anna", Heard.HELP),
        ("ik heb echt hulp nodig", Heard.HELP),
        ("hulp a.u.b.", Heard.HELP),
        ("plz help", Heard.HELP),
        ("kun je me helpen", Heard.HELP),
        ("ik ben in gevaar", Heard.DANGER),
        # Said on their own, these are danger; inside a longer sentence they are not.
        ("ik kan niet meer!!", Heard.DANGER),
        ("ik wil niet meer", Heard.DANGER),
        ("ik ga dood", Heard.DANGER),
        ("ik kan niet meer komen morgen", None),
        ("ik wil me ophangen", Heard.DANGER),
        ("ik heb pillen genomen", Heard.DANGER),
        # Not help words at all.
        ("geen nood", None),
        ("Kun je helpen?", None),  # an ordinary request to the coach, asked to send as any
        ("kun je helpen met mijn brief", None),
        ("ik heb hulp nodig met mijn belastingaangifte van dit jaar", None),
        ("0612112345", None),
    ],
)
def test_help_words_as_a_client_in_trouble_types_them(typed: str, heard: Heard | None) -> None:
    assert recognise(typed, load_words("nl")["nl"]) is heard


# -- another word order, typing errors, names, more ways to say it ---------------------------------

OWN_NAMES = ("Anna", "Sam")  # Sam's coach and Sam: what the router passes


@pytest.mark.parametrize(
    ("typed", "heard"),
    [
        # No longer safe: "meer" inside, or the words alone.
        ("ik voel me niet meer veilig", Heard.HELP),
        ("ik ben niet meer veilig", Heard.HELP),
        ("niet meer veilig", Heard.HELP),
        ("ik voel mij niet veilig", Heard.HELP),
        ("ik voel me niet veilig thuis", Heard.HELP),
        ("ik voel me onveilig", Heard.HELP),
        # Another word order, or fewer words.
        ("bang ben ik", Heard.HELP),
        ("ik ben zo bang", Heard.HELP),
        ("ben bang", Heard.HELP),
        ("echt bang", Heard.HELP),
        ("bang!!", Heard.HELP),
        ("ik ben bang!!!", Heard.HELP),
        ("IK BEN BANG", Heard.HELP),
        ("paniek", Heard.HELP),
        ("ik heb een paniekaanval", Heard.HELP),
        ("ik word bedreigd", Heard.DANGER),
        # As a client in a hurry types: letters twice or more, swapped letters.
        ("hlup", Heard.HELP),
        ("hepl", Heard.HELP),
        ("helppp", Heard.HELP),
        ("HULPPP!!", Heard.HELP),
        ("huulp", Heard.HELP),
        ("help me aub", Heard.HELP),
        ("nood!!", Heard.HELP),
        ("ik ben baaang", Heard.HELP),
        ("ik wil doood", Heard.DANGER),
        # The coach's name (or the client's own) anywhere around the words.
        ("anna ik ben bang", Heard.HELP),
        ("anna help", Heard.HELP),
        ("help anna", Heard.HELP),
        ("ik ben bang anna", Heard.HELP),
        ("Anna, ik voel me niet meer veilig", Heard.HELP),
        ("anna ik kan niet meer", Heard.DANGER),  # her own coach's name: as urgent as without
        ("ik ga dood anna", Heard.DANGER),
        ("sam hier, ik ben bang", Heard.HELP),
        # Another name: before the words, or capitalised after them; help, never danger.
        ("mam ik ben bang", Heard.HELP),
        ("hoi bram, ik voel me niet veilig", Heard.HELP),
        ("ik ben bang Bram", Heard.HELP),
        ("mam ik kan niet meer", Heard.HELP),
        ("haha ik ga dood", Heard.HELP),  # may be a laugh: the noodknop offered, no alert
        # More ways to say "I want to die", "I hurt myself", "someone hurts me".
        ("ik doe mezelf wat aan", Heard.DANGER),
        ("ik snij mezelf", Heard.DANGER),
        ("ik wil mezelf pijn doen", Heard.DANGER),
        ("ik heb geen zin meer in het leven", Heard.DANGER),
        ("ik wil slapen en nooit meer wakker worden", Heard.DANGER),
        ("ik wil niet meer wakker worden", Heard.DANGER),
        ("ik heb te veel pillen genomen", Heard.DANGER),
        ("ik ga mezelf van kant maken", Heard.DANGER),
        ("ik kan het niet meer aan", Heard.DANGER),
        ("iemand doet me pijn", Heard.DANGER),
        ("ik word geslagen door mijn vriend", Heard.DANGER),
        ("anna hij slaat me", Heard.DANGER),
        ("ik word mishandeld", Heard.DANGER),
    ],
)
def test_more_ways_a_client_says_help_or_danger_are_heard(typed: str, heard: Heard) -> None:
    assert recognise(typed, DUTCH, OWN_NAMES) is heard


@pytest.mark.parametrize(
    "typed",
    [
        # "niet" and the like keep their meaning, with the new words too.
        *("ik ben niet bang", "ik ben echt niet bang", "ik ben niet meer bang"),
        *("ik ben nooit bang", "ik ben minder bang", "ik voel me wel veilig"),
        *("ik voel me weer veilig", "anna ik ben niet bang", "wees niet bang", "ben je bang"),
        *("hij is bang", "het is niet veilig", "geen nood", "geen paniek"),
        # A lone word before a one-word phrase is no name; a word after one only with a capital.
        *("kamer 112", "bus 112", "ik kan niet meer lopen", "bel me morgen"),
        *("ik ben niet veilig gefietst", "Ik ben bang. Morgen", "ik ben bang geweest"),
        # Sentences stay sentences.
        *("ik ga dood van het lachen", "ik ben bang voor honden", "mijn rug doet me pijn"),
        *("ik wil niet meer wakker worden van de buren", "ik ben geslaagd", "ik ben thuis"),
        *("kun je me helpen met mijn rooster", "echt", "heel erg", "ik ben zo blij"),
    ],
)
def test_these_stay_ordinary_messages(typed: str) -> None:
    assert recognise(typed, DUTCH, OWN_NAMES) is None


def test_help_in_a_short_question_still_offers_the_noodknop_as_before() -> None:
    # "help" in six words or fewer counts wherever it stands: the noodknop and the question
    # whether to send it, as before (nothing goes to the coach unasked); longer is a message.
    assert recognise("help me even met mijn rooster", DUTCH) is Heard.HELP
    assert keys(said("help me even met mijn rooster")) == ["help_words.offer", "relay.confirm"]
    assert recognise("kun je me even helpen met mijn rooster voor morgen", DUTCH) is None


def test_the_router_passes_the_coachs_name() -> None:
    assert recognise("ik ben bang anna", DUTCH) is None  # "anna" unknown, lower case
    assert keys(said("ik ben bang anna")) == ["help_words.offer", "relay.confirm"]
    danger = said("anna ik kan niet meer")
    assert danger.effects == (RaiseAlert(7, words=(500, 42)),)


@pytest.mark.parametrize(
    ("typed", "heard"),
    [
        ("scared", Heard.HELP),
        ("I feel unsafe", Heard.HELP),
        ("I don't feel safe at home", Heard.HELP),
        ("im not safe", Heard.HELP),
        ("I am so so scared", Heard.HELP),
        ("hlep", Heard.HELP),
        ("HELPPP", Heard.HELP),
        ("mum I'm scared", Heard.HELP),
        ("I can't take it anymore", Heard.DANGER),
        ("I'm going to die", Heard.DANGER),
        ("I cut myself again", Heard.DANGER),
        ("I took too many pills", Heard.DANGER),
        ("he hits me", Heard.DANGER),
        ("someone is hurting me", Heard.DANGER),
        ("I'm not scared", None),
        ("I'm really not scared", None),
        ("not scared", None),
        ("I feel safe", None),
        ("I'm scared of spiders", None),
        ("i can't go on like this with my boss", None),
    ],
)
def test_more_ways_an_english_client_says_it(typed: str, heard: Heard | None) -> None:
    assert recognise(typed, ENGLISH, OWN_NAMES) is heard


# -- review: false alarms, missed phrases, a question word as the first word ----------------------


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        # "nooit meer wakker worden" is emergency: the whole message, not inside a sentence.
        ("ik wil nooit meer wakker worden van die wekker", DUTCH),
        ("ik wil nooit meer wakker worden om 6 uur", DUTCH),
        # Hitting, meant otherwise: skipped, or no longer.
        ("hij slaat me over bij de beurt", DUTCH),
        ("Hij slaat me niet meer", DUTCH),
        ("hij slaat me echt niet", DUTCH),
        ("ze slaan me altijd over", DUTCH),
        ("mijn rug doet me pijn", DUTCH),
        # An accident, a game.
        ("i cut myself while cooking", ENGLISH),
        ("i cut myself shaving", ENGLISH),
        ("I hurt myself playing football", ENGLISH),
        ("he beats me at chess", ENGLISH),
        ("he always beats me at games", ENGLISH),
        # A question word or a time as the first word is no name: a question to the coach.
        ("morgen kun je me helpen?", DUTCH),
        ("wanneer kun je me helpen?", DUTCH),
        ("Vandaag kun je me helpen?", DUTCH),
        ("waarom ik ben bang", DUTCH),
    ],
)
def test_review_these_are_no_help_words(typed: str, words: Any) -> None:
    assert recognise(typed, words, OWN_NAMES) is None


@pytest.mark.parametrize(
    ("typed", "words", "heard"),
    [
        # Suicide, said otherwise.
        ("ik wil nooit meer wakker worden", DUTCH, Heard.DANGER),
        ("ik wil slapen en nooit meer wakker worden", DUTCH, Heard.DANGER),
        ("ik ga me ophangen", DUTCH, Heard.DANGER),
        ("ik ga mezelf iets aandoen", DUTCH, Heard.DANGER),
        ("ik wil mezelf vermoorden", DUTCH, Heard.DANGER),
        ("ik ga mezelf vermoorden", DUTCH, Heard.DANGER),
        ("ik wil me van kant maken", DUTCH, Heard.DANGER),
        ("ik wil springen", DUTCH, Heard.DANGER),
        ("ik wil van de brug springen", DUTCH, Heard.DANGER),
        ("ik wil van het dak springen", DUTCH, Heard.DANGER),
        ("ik maak een eind aan mijn leven", DUTCH, Heard.DANGER),
        ("ik wil een einde aan mijn leven maken", DUTCH, Heard.DANGER),
        ("ik wil niet meer bestaan", DUTCH, Heard.DANGER),
        ("ik ben liever dood", DUTCH, Heard.DANGER),
        # Someone hurts the client.
        ("hij slaat me", DUTCH, Heard.DANGER),
        ("hij slaat me steeds", DUTCH, Heard.DANGER),
        ("hij slaat me met zijn riem", DUTCH, Heard.DANGER),
        ("Hij slaat me, niet normaal meer", DUTCH, Heard.DANGER),  # the comma: no "niet meer"
        ("mijn vriend slaat me", DUTCH, Heard.DANGER),
        ("mijn man slaat me", DUTCH, Heard.DANGER),
        ("mijn vader slaat me", DUTCH, Heard.DANGER),
        ("hij heeft me geslagen", DUTCH, Heard.DANGER),
        ("ze slaan me", DUTCH, Heard.DANGER),
        ("mijn vriend doet me pijn", DUTCH, Heard.DANGER),
        ("hij wil me vermoorden", DUTCH, Heard.DANGER),
        ("hij bedreigt me", DUTCH, Heard.HELP),
        ("mijn vriend bedreigt me", DUTCH, Heard.HELP),
        # A name first stays a name; before emergency words a time word still gets help.
        ("mam ik ben bang", DUTCH, Heard.HELP),
        ("vandaag, ik kan niet meer", DUTCH, Heard.HELP),
        # English.
        ("i wanna die", ENGLISH, Heard.DANGER),
        ("i want to be dead", ENGLISH, Heard.DANGER),
        ("he's hurting me", ENGLISH, Heard.DANGER),
        ("she's hurting me", ENGLISH, Heard.DANGER),
        ("my boyfriend hits me", ENGLISH, Heard.DANGER),
        ("he beats me", ENGLISH, Heard.DANGER),
        ("he hit me", ENGLISH, Heard.DANGER),
        ("i was raped", ENGLISH, Heard.DANGER),
        ("he raped me", ENGLISH, Heard.DANGER),
        ("i'm going to end it all", ENGLISH, Heard.DANGER),
        ("i want to cut myself", ENGLISH, Heard.DANGER),
        ("i'm cutting myself", ENGLISH, Heard.DANGER),
        ("i cut myself on purpose", ENGLISH, Heard.DANGER),
        ("i keep cutting myself", ENGLISH, Heard.DANGER),
        ("sometimes i cut myself", ENGLISH, Heard.DANGER),
        ("he is threatening me", ENGLISH, Heard.HELP),
    ],
)
def test_review_these_are_heard(typed: str, words: Any, heard: Heard) -> None:
    assert recognise(typed, words, OWN_NAMES) is heard


# -- how clients say it that the lists missed: the verb first, wishes, despair -----------------


@pytest.mark.parametrize(
    ("typed", "words", "heard"),
    [
        # Dutch puts the verb before "ik" after a word like "soms", "dan", "eigenlijk".
        ("soms wil ik gewoon dood", DUTCH, Heard.DANGER),
        ("eigenlijk wil ik dood", DUTCH, Heard.DANGER),
        ("dan wil ik er niet meer zijn", DUTCH, Heard.DANGER),
        ("vanavond ga ik me ophangen", DUTCH, Heard.DANGER),
        ("ik wil soms dood", DUTCH, Heard.DANGER),
        # Wishing to be dead, no sense in living, "aandoen" typed as two words.
        ("ik wou dat ik dood was", DUTCH, Heard.DANGER),
        ("ik wil het liefst dood", DUTCH, Heard.DANGER),
        ("het leven heeft geen zin meer", DUTCH, Heard.DANGER),
        ("ik wil mezelf iets aan doen", DUTCH, Heard.DANGER),
        ("ik wil mijn polsen doorsnijden", DUTCH, Heard.DANGER),
        ("ik denk erover om er een eind aan te maken", DUTCH, Heard.DANGER),
        ("ik zie het echt niet meer zitten", DUTCH, Heard.DANGER),
        ("niemand zou me missen", DUTCH, Heard.HELP),
        ("i'd rather be dead", ENGLISH, Heard.DANGER),
        ("i wish i could die", ENGLISH, Heard.DANGER),
        ("my life has no meaning", ENGLISH, Heard.DANGER),
        ("i want to cut my wrists", ENGLISH, Heard.DANGER),
        ("i cant go on anymore", ENGLISH, Heard.DANGER),
        ("i can't do this anymore", ENGLISH, Heard.DANGER),
        ("nobody would miss me", ENGLISH, Heard.HELP),
        ("soms snij ik mezelf", DUTCH, Heard.DANGER),
        ("dan doe ik mezelf iets aan", DUTCH, Heard.DANGER),
        ("soms wil ik mezelf pijn doen", DUTCH, Heard.DANGER),
        ("ik wil onder de trein springen", DUTCH, Heard.DANGER),
        ("eigenlijk wil ik niet meer", DUTCH, Heard.DANGER),
        ("het heeft allemaal geen zin meer", DUTCH, Heard.DANGER),
        ("i'm thinking of ending my life", ENGLISH, Heard.DANGER),
        ("i don't want to be here anymore", ENGLISH, Heard.DANGER),
    ],
)
def test_the_verb_first_wishes_and_despair_are_heard(typed: str, words: Any, heard: Heard) -> None:
    assert recognise(typed, words, OWN_NAMES) is heard


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("ik zie het niet meer zitten met die klus", DUTCH),  # despair only as the whole message
        ("ik ben soms niet bang", DUTCH),
        ("i'm going to end it with him tomorrow", ENGLISH),
        ("ik ben er liever niet meer bij als mijn moeder komt", DUTCH),
        ("de politie kwam om er een einde aan te maken", DUTCH),
        ("ik zou dood willen vallen van schaamte", DUTCH),
        ("het heeft allemaal geen zin meer, die formulieren", DUTCH),
        ("there is no point in living in the past", ENGLISH),
        ("no reason to live near the station", ENGLISH),
    ],
)
def test_these_new_ways_stay_ordinary_messages_in_a_sentence(typed: str, words: Any) -> None:
    assert recognise(typed, words, OWN_NAMES) is None


# -- in danger or threatened; a time word inside a danger phrase ---------------------------------


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        # In danger or threatened, as the whole message: an alert, as "ik kan niet meer".
        *(("ik ben in gevaar", DUTCH), ("Ik ben in gevaar!", DUTCH)),
        *(("ik ben nu in gevaar", DUTCH), ("ik ben in groot gevaar", DUTCH)),
        *(("hulp, ik ben in gevaar", DUTCH), ("anna ik ben echt in gevaar", DUTCH)),
        *(("ik word bedreigd", DUTCH), ("ik word bedreigd!!", DUTCH), ("ik word bedreigt", DUTCH)),
        *(("iemand bedreigt me", DUTCH), ("ik ben in levensgevaar", DUTCH)),
        # Who threatens: anywhere in a message, as "ik word geslagen door mijn vriend".
        ("ik word bedreigd door mijn buurman", DUTCH),
        ("Ik word bedreigd door mijn ex, hij staat voor de deur", DUTCH),
        ("soms word ik bedreigd door mijn buurman", DUTCH),
        *(("i'm in danger", ENGLISH), ("I am in danger!", ENGLISH), ("im in danger", ENGLISH)),
        *(("I'm being threatened", ENGLISH), ("someone is threatening me", ENGLISH)),
        ("I'm being threatened by my neighbour", ENGLISH),
        ("ik ben in gevaar", ENGLISH),  # an English client is understood in Dutch too
        # A time word between the words of a danger phrase.
        *(("ik wil morgen dood", DUTCH), ("ik ga vanavond me ophangen", DUTCH)),
        *(("soms wil ik vannacht dood", DUTCH), ("ik wil nu dood", DUTCH)),
        *(("ik wil vandaag echt niet meer leven", DUTCH), ("ik wil straks dood!!", DUTCH)),
        *(("hij heeft me gisteren geslagen", DUTCH), ("ik wil nu meteen dood", DUTCH)),
        *(("ik wil nog steeds dood", DUTCH), ("ik heb al te veel pillen genomen", DUTCH)),
        *(("i want to die tonight", ENGLISH), ("I still want to die", ENGLISH)),
        *(("i am still being abused", ENGLISH), ("I still don't want to live", ENGLISH)),
    ],
)
def test_in_danger_threatened_or_a_time_word_inside_is_danger(typed: str, words: Any) -> None:
    assert recognise(typed, words, OWN_NAMES) is Heard.DANGER


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        # In a sentence "in gevaar" and "bedreigd" are no alert without someone who threatens.
        ("ik ben in gevaar om te laat te komen", DUTCH),
        ("I'm in danger of missing the bus", ENGLISH),
        # A time word is no filler: not around a help phrase, not inside an emergency phrase.
        ("morgen kun je me helpen?", DUTCH),
        ("vanavond kun je me helpen?", DUTCH),
        ("ik kan morgen niet meer", DUTCH),  # an appointment
        ("ik kan vandaag niet meer", DUTCH),
        # "niet" keeps its meaning; a danger_not phrase undoes a phrase with a time word too.
        ("ik wil morgen niet dood", DUTCH),
        ("hij slaat me weer over", DUTCH),
        ("hij slaat me vandaag niet", DUTCH),
        ("he beats me again at chess", ENGLISH),
    ],
)
def test_in_danger_or_a_time_word_in_a_sentence_stays_ordinary(typed: str, words: Any) -> None:
    assert recognise(typed, words, OWN_NAMES) is None


def test_a_threat_is_an_alert_anywhere_and_a_letter_or_a_game_is_none() -> None:
    # Being threatened or in danger counts anywhere in a message, whatever stands around it.
    for typed in (
        "mam ik word bedreigd",
        "ik word bedreigd met een mes",
        "ik ben in gevaar, kom snel",
        "ik ben in gevaar want mijn ex staat voor de deur",
        "ik word al weken bedreigd door mijn ex",
        "ik word steeds bedreigd",
        "ik voel me bedreigd door mijn buurman",
    ):
        assert recognise(typed, DUTCH, OWN_NAMES) is Heard.DANGER, typed
    for typed in ("i'm in danger, come quick", "i feel threatened"):
        assert recognise(typed, ENGLISH, OWN_NAMES) is Heard.DANGER, typed
    # A letter's threat is no alert: short, it gets the noodknop offered (help), long, nothing.
    assert recognise("ik word bedreigd met ontslag", DUTCH, OWN_NAMES) is Heard.HELP
    assert recognise("i'm being threatened with eviction", ENGLISH, OWN_NAMES) is Heard.HELP
    for typed in (
        "ik word bedreigd door de deurwaarder met beslag",
        "ik word bedreigd door de woningbouw met uitzetting",
        "hij heeft me al geslagen met schaken",
    ):
        assert recognise(typed, DUTCH, OWN_NAMES) is None, typed


def test_a_client_in_danger_raises_an_alert_and_hears_112_and_113() -> None:
    for typed in ("ik ben in gevaar", "ik word bedreigd", "ik wil morgen dood"):
        outcome = said(typed)
        assert keys(outcome) == ["alert.new_message", "help_words.numbers"], typed
        assert outcome.effects == (RaiseAlert(7, words=(500, 42)),), typed


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("ik ga vanavond dood", DUTCH),
        ("vanavond ga ik dood!", DUTCH),
        ("Anna ik ga morgen dood", DUTCH),
        ("i'm going to die tonight", ENGLISH),
        ("tonight i'm going to die", ENGLISH),
    ],
)
def test_going_to_die_at_a_time_is_an_alert_as_the_whole_message(typed: str, words: Any) -> None:
    assert recognise(typed, words, OWN_NAMES) is Heard.DANGER


def test_going_to_die_of_something_at_a_time_stays_a_message() -> None:
    assert recognise("ik ga vanavond dood van het lachen", DUTCH, OWN_NAMES) is None
    assert recognise("i'm going to die tonight of boredom", ENGLISH, OWN_NAMES) is None

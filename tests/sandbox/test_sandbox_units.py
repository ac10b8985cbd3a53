"""The sandbox's parts without HTTP: schema, validation, formatting, markup, faults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from telegram_sandbox.errors import ApiError
from telegram_sandbox.faults import Faults, RateLimiter
from telegram_sandbox.formatting import build_text, utf16_len
from telegram_sandbox.gen_schema import RESPONSE_TYPES, build_schema, render
from telegram_sandbox.markup import parse_reply_markup
from telegram_sandbox.methods import HANDLERS
from telegram_sandbox.validation import SCHEMA_PATH, check_object, coerce_params, load_schema


def description(error: pytest.ExceptionInfo[ApiError]) -> str:
    return error.value.description


# --- schema -------------------------------------------------------------------------------


def test_schema_lists_exactly_the_implemented_methods() -> None:
    schema = load_schema()
    assert set(schema.methods) == set(HANDLERS)
    assert set(RESPONSE_TYPES) <= set(schema.types)
    assert schema.methods["sendMessage"].required == ("chat_id", "text")
    assert schema.bot_api.startswith("Bot API")


def test_committed_schema_is_what_the_generator_writes() -> None:
    """Regenerating from the schema's own facts gives the same file (no hand edits)."""
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    version, _, date = committed["bot_api"].partition(" (")
    source = {
        "version": version,
        "release_date": date.rstrip(")"),
        "methods": {
            name: {
                "returns": spec["returns"],
                "fields": [{"name": f, **v} for f, v in spec["fields"].items()],
            }
            for name, spec in committed["methods"].items()
        },
        "types": {
            name: {
                "fields": [{"name": f, **v} for f, v in spec["fields"].items()],
                **({"subtypes": spec["subtypes"]} if "subtypes" in spec else {}),
            }
            for name, spec in committed["types"].items()
        },
    }
    assert render(build_schema(source)) + "\n" == SCHEMA_PATH.read_text(encoding="utf-8")


def test_generator_refuses_a_source_without_an_implemented_method() -> None:
    with pytest.raises(KeyError, match="is not in the Bot API source"):
        build_schema({"methods": {}, "types": {}})


def test_schema_file_is_inside_the_project() -> None:
    project = Path(__file__).resolve().parents[2]
    assert SCHEMA_PATH.parent == project / "sandbox" / "telegram_sandbox"


# --- validation ---------------------------------------------------------------------------


def test_form_values_are_converted_to_their_bot_api_types() -> None:
    spec = load_schema().methods["sendMessage"]
    markup = '{"inline_keyboard": [[{"text": "Ja", "callback_data": "y"}]]}'

    params = coerce_params(
        spec,
        {
            "chat_id": "42",
            "text": "hoi",
            "disable_notification": "true",
            "reply_markup": markup,
            "x": 1,
        },
    )

    assert params["chat_id"] == 42
    assert params["disable_notification"] is True
    assert params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Ja"
    assert params["x"] == 1  # unknown fields are kept, and ignored by the handlers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"chat_id": 1}, "Bad Request: message text is empty"),
        ({"chat_id": 1, "text": ""}, "Bad Request: message text is empty"),
        ({"text": "hoi"}, "Bad Request: chat_id is empty"),
        ({"chat_id": True, "text": "hoi"}, "Bad Request: invalid chat_id specified"),
        (
            {"chat_id": 1, "text": "hoi", "reply_markup": "{"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            {"chat_id": 1, "text": "hoi", "message_thread_id": "x"},
            'Bad Request: field "message_thread_id" must be of type Integer',
        ),
    ],
)
def test_bad_parameters_get_telegrams_wording(raw: dict[str, Any], expected: str) -> None:
    with pytest.raises(ApiError) as caught:
        coerce_params(load_schema().methods["sendMessage"], raw)
    assert caught.value.status == 400
    assert description(caught) == expected


def test_media_fields_missing() -> None:
    with pytest.raises(ApiError) as caught:
        coerce_params(load_schema().methods["sendVoice"], {"chat_id": 1})
    assert description(caught) == "Bad Request: there is no voice in the request"


def test_check_object_reports_unknown_missing_and_mistyped_fields() -> None:
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 1, "type": "private"},
        "txt": "x",
    }
    assert check_object("Message", message) == ["Message: unknown field 'txt'"]
    assert check_object(
        "Message", {"message_id": "1", "date": 0, "chat": {"id": 1, "type": "x"}}
    ) == ["Message.message_id: expected Integer"]
    assert (
        "missing required field 'chat'" in check_object("Message", {"message_id": 1, "date": 0})[0]
    )


# --- formatting ---------------------------------------------------------------------------


def test_entity_offsets_count_utf16_code_units() -> None:
    text, entities = build_text("👋 <b>Hoi</b>", "HTML")
    assert text == "👋 Hoi"
    assert entities == [{"type": "bold", "offset": 3, "length": 3}]
    assert utf16_len("👋") == 2


@pytest.mark.parametrize(
    ("source", "mode", "text", "types"),
    [
        (
            "<i>a</i> <a href='https://x.nl'>b</a>",
            "HTML",
            "a b",
            ["italic", "text_link"],
        ),
        ('<pre><code class="language-py">x = 1</code></pre>', "HTML", "x = 1", ["pre"]),
        ('<span class="tg-spoiler">geheim</span>', "HTML", "geheim", ["spoiler"]),
        (
            "*vet* _schuin_ __onder__ ~door~ ||spoiler||",
            "MarkdownV2",
            "vet schuin onder door spoiler",
            ["bold", "italic", "underline", "strikethrough", "spoiler"],
        ),
        (
            "[site](https://example.org/a\\)b) `code`",
            "MarkdownV2",
            "site code",
            ["text_link", "code"],
        ),
        ("5 \\+ 5 \\= 10\\!", "MarkdownV2", "5 + 5 = 10!", []),
        (
            "*vet* _schuin_ [link](https://x.nl)",
            "Markdown",
            "vet schuin link",
            ["bold", "italic", "text_link"],
        ),
        (
            "mail a@b.nl of @coach_bram, zie https://x.nl/a.",
            None,
            "mail a@b.nl of @coach_bram, zie https://x.nl/a.",
            ["email", "mention", "url"],
        ),
    ],
)
def test_parse_modes(source: str, mode: str | None, text: str, types: list[str]) -> None:
    parsed, entities = build_text(source, mode)
    assert parsed == text
    assert [e["type"] for e in entities] == types


@pytest.mark.parametrize(
    ("source", "mode", "fragment"),
    [
        ("Klaar!", "MarkdownV2", "Character '!' is reserved"),
        ("*open", "MarkdownV2", "Can't find end of Bold entity at byte offset 0"),
        ("<b>open", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", "HTML", "Unmatched end tag"),
        ("<blink>x</blink>", "HTML", 'Unsupported start tag "blink"'),
        ("_open", "Markdown", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_markup_errors(source: str, mode: str, fragment: str) -> None:
    with pytest.raises(ApiError) as caught:
        build_text(source, mode)
    assert description(caught).startswith("Bad Request: can't parse entities: ")
    assert fragment in description(caught)


def test_unknown_parse_mode() -> None:
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        build_text("x", "BBCode")


# --- markup -------------------------------------------------------------------------------


def test_reply_keyboard_buttons_are_normalised() -> None:
    markup = parse_reply_markup({"keyboard": [["A", {"text": "B", "request_location": True}]]})
    assert markup["keyboard"] == [[{"text": "A"}, {"text": "B", "request_location": True}]]


@pytest.mark.parametrize(
    ("markup", "fragment"),
    [
        (
            {"inline_keyboard": [[{"text": "x", "url": "ftp://x"}]]},
            "BUTTON_URL_INVALID",
        ),
        ({"inline_keyboard": [{"text": "x"}]}, "should be an Array of Arrays"),
        (
            {"inline_keyboard": [[{"text": "x", "callback_data": "d"}] * 101]},
            "REPLY_MARKUP_TOO_LONG",
        ),
        ({"something": 1}, "can't parse reply keyboard markup JSON object"),
    ],
)
def test_bad_markup(markup: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_reply_markup(markup)
    assert fragment in description(caught)


# --- faults and rate limits ---------------------------------------------------------------


def test_fault_rules_are_used_up_in_order() -> None:
    faults = Faults()
    faults.delay("sendMessage", seconds=0.2, times=2)
    faults.fail("SENDMESSAGE", status=429, retry_after=3)

    first = faults.decide("sendMessage", 1)
    assert first.delay == 0.2 and first.error is not None
    assert first.error.payload() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    second = faults.decide("sendMessage", 1)
    assert second.delay == 0.2 and second.error is None
    assert faults.decide("sendMessage", 1).delay == 0
    assert faults.decide("getMe", None).error is None


def test_rate_limiter_refills_over_time() -> None:
    limiter = RateLimiter()
    limiter.configure(per_chat=1, global_rate=30)
    assert limiter.check(1, now=0.0) is None
    assert limiter.check(1, now=0.1) == 1
    assert limiter.check(2, now=0.1) is None
    assert limiter.check(1, now=1.2) is None

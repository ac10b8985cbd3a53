"""The effects of relaying messages between a client and their coach.

Kept apart from ``dialogs.relay`` so ``dialogs.outcome`` can name them in its ``Effect`` union
without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "AwaitClientMessage",
    "MarkRelaySeen",
    "PromiseMessage",
    "RelayEffect",
    "RelayToClient",
    "RelayToCoach",
    "SetRelayAsked",
    "SetRelayDirect",
]


@dataclass(frozen=True)
class RelayToCoach:
    """Store a relay to the client's coach and deliver it: ``relayed_header`` then a copy of
    the message with ``copy_buttons``. Results: ``relay_id``. ``kind`` is None after a tap on
    "Ja, stuur het" (the tap does not say what the message was; the copy carries it anyway).
    ``header``: a text key the coach reads instead of the usual header ("🆘 Sam typed a help
    word"), with ``{client}``; ``urgent``: sent as an alert is (help words of danger).
    ``forwarded_from``: the message was forwarded; whom from, as Telegram shows it (the copy
    does not carry that, so the header says it)."""

    client_id: int
    from_chat_id: int
    message_id: int
    kind: str | None
    header: str | None = None
    urgent: bool = False
    forwarded_from: str | None = None
    # The client's support ended on this day (``dialogs.ended``): the header says so.
    ended_on: datetime | None = None


@dataclass(frozen=True)
class RelayToClient:
    """Store a relay from a coach to their client and deliver it: header, then a copy.
    ``answers_relay_id``: the relay the coach replied to, if any. Results: ``relay_id``.
    ``forwarded_from``: as on ``RelayToCoach``. ``words``: the coach's text (or a photo's or
    voice note's caption), so header and message arrive as one; kept only until it is sent."""

    coach_id: int
    client_id: int
    from_chat_id: int
    message_id: int
    kind: str
    answers_relay_id: int | None = None
    forwarded_from: str | None = None
    words: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class MarkRelaySeen:
    relay_id: int
    coach_id: int


@dataclass(frozen=True)
class SetRelayDirect:
    """Whether the client's messages go to the coach without the "send this?" question."""

    client_id: int
    relay_direct: bool


@dataclass(frozen=True)
class SetRelayAsked:
    """The client's messages asked about ("Wil je dit naar Anna sturen?") and not answered
    yet, oldest first: their ids in the client's own chat, never what they say."""

    client_id: int
    asked: tuple[int, ...]


@dataclass(frozen=True)
class AwaitClientMessage:
    """The client's next message goes to the coach without asking (False: that is over)."""

    client_id: int
    awaiting: bool


@dataclass(frozen=True)
class PromiseMessage:
    """The client is told in this outcome that this coach sends them a message ("Anna stuurt
    je zo een bericht"): stored on the client until a message of that coach's to them is
    relayed, so the promise outlives the coach's wait (``CoachRelayContext.promised``)."""

    client_id: int
    coach_id: int


RelayEffect = (
    RelayToCoach
    | RelayToClient
    | MarkRelaySeen
    | SetRelayDirect
    | SetRelayAsked
    | AwaitClientMessage
    | PromiseMessage
)

"""The effects of a client's support phases and of their data rights in the bot: a coach sets
a phase or reopens an ended support; a client asks what is kept about them and their coach
sends it (``dialogs.phases``, ``dialogs.data_request``).

Kept apart from those dialogs so ``dialogs.outcome`` can name them in its ``Effect`` union
without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ReopenSupport", "RequestData", "SendSummary", "SetPhase"]


@dataclass(frozen=True)
class SetPhase:
    """The coach moved their active client to ``phase`` ("start", "regular", "waakvlam"): the
    open phase closes now and the new one opens, with who in the audit trail."""

    client_id: int
    coach_id: int
    phase: str


@dataclass(frozen=True)
class ReopenSupport:
    """The coach took their former client back: active again, in a new "regular" phase (the
    history stays)."""

    client_id: int
    coach_id: int


@dataclass(frozen=True)
class RequestData:
    """The client asked what the bot keeps about them (audit ``client.data_requested``)."""

    client_id: int


@dataclass(frozen=True)
class SendSummary:
    """The coach sends the client the easy-language summary of their data, as a document
    rendered when it is sent (never stored in the outbox). Audit ``client.summary_sent``."""

    client_id: int
    coach_id: int

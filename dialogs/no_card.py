"""``/client Tim`` when Tim has no card: why not, so the coach is never left at a dead end.

::

    /client Tim, none of the coach's active clients is Tim
        ├─ the coach's own Tim, invited, link not opened ──▶ until when the link works, and
        │                                                    where it is in the chat
        ├─ ... and the link no longer works ──▶ that, and what makes a new link possible
        ├─ the coach's own Tim, link opened, still joining ──▶ at which step since when, that
        │                                                      the coach hears when Tim is done,
        │                                                      and that /nieuw Tim starts again
        ├─ the coach's own Tim, said no ──▶ that
        ├─ the coach's own Tim, support ended ──▶ /fase Tim shows when, and reopens
        └─ nobody of the coach's ──▶ "Ik ken geen cliënt van jou met de naam Tim" and their
                                      active clients (as /telefoon says it)

A typed name is untrusted. The shell loads only the coach's own clients
(``CardContext.not_active``): another coach's Tim is nobody here, and is never named.
Only a hash of an invite link is stored, so the link itself cannot be shown again.
"""

from __future__ import annotations

from datetime import datetime

from dialogs.card_view import CardContext, NotActive, NotActiveClient
from dialogs.outcome import Outcome, Reply
from dialogs.words import normalise

__all__ = ["no_card", "starts_with_name"]

_SHOWN_NAME = 40  # characters of a typed name said back


def starts_with_name(typed: str, name: str) -> bool:
    """``typed`` starts with the whole ``name`` (case and accents ignored), as
    ``dialogs.clients.find_client`` reads it."""
    words = normalise(typed, keep_punctuation=True).split()
    wanted = normalise(name, keep_punctuation=True).split()
    return bool(wanted) and words[: len(wanted)] == wanted


def no_card(typed: str, now: datetime, ctx: CardContext) -> Outcome:
    """Why the name ``typed`` (none of ``ctx.clients``) has no card. Of several of the coach's
    other clients by that name, the newest counts (an ended Tim, then a new Tim invited)."""
    other = _named(typed, ctx.not_active)
    if other is None:
        shown = typed[:_SHOWN_NAME]
        if not ctx.clients:
            return Outcome(replies=(Reply("client_card.not_found_none", {"name": shown}),))
        clients = ", ".join(c.name for c in ctx.clients)
        return Outcome(
            replies=(Reply("client_card.not_found", {"name": shown, "clients": clients}),)
        )
    name = {"name": other.client.name}
    match other.status:
        case NotActive.ENDED:
            names = ", ".join(c.name for c in ctx.clients)
            key = "client_card.not_active_others" if ctx.clients else "client_card.not_active"
            return Outcome(replies=(Reply(key, {**name, "names": names}),))
        case NotActive.INVITED if other.link_until is not None and now < other.link_until:
            until = {**name, "until": other.link_until}
            return Outcome(replies=(Reply("client_card.invited", until),))
        case NotActive.INVITED:
            return Outcome(replies=(Reply("client_card.invited_expired", name),))
        case NotActive.JOINING if other.since is not None:
            # At which step, since when; /nieuw Tim stops the joining and makes a new link.
            key = (
                "client_card.joining_consented" if other.consented else "client_card.joining_opened"
            )
            return Outcome(replies=(Reply(key, {**name, "since": other.since}),))
        case NotActive.JOINING:
            return Outcome(replies=(Reply("client_card.joining", name),))
    return Outcome(replies=(Reply("client_card.declined", name),))


def _named(typed: str, clients: tuple[NotActiveClient, ...]) -> NotActiveClient | None:
    """The client whose whole name ``typed`` starts with: the longest name, then the newest."""
    named = [c for c in clients if starts_with_name(typed, c.client.name)]
    return max(
        named,
        key=lambda c: (len(normalise(c.client.name, keep_punctuation=True).split()), c.client.id),
        default=None,
    )

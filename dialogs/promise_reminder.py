"""A coach told a client a message is coming ("Anna stuurt je zo een bericht") and has not
sent it: the reminder of that promise, with the way to keep it that works for this coach now.

::

    the client's own coach, the client reachable ──▶ "... Toch iets sturen? Typ /bericht Sam."
    the client's chat refuses messages (📵, ``dialogs.reachability``) ──▶ the chat takes no
        messages now: "Bel Sam: +31 6 …" (without a stored number: none is stored, reach Sam
        another way), as the 📵 notices say it (``dialogs.reachability.phone_variant``)
    a backup who picked Sam's alert up (their ``/bericht`` lists only their own clients):
        ├─ a message of Sam's came with the open alert into their chat ──▶ "Antwoord op een
        │    bericht van Sam bij de melding." (a reply to that copy goes to Sam)
        └─ otherwise ──▶ ask Anna, Sam's coach, to send it; with a stored number "Of bel Sam"

Said where a wait for the message ends without one (``dialogs.relay`` cancel, another
question, an alert's tap), under a signal's ✅ (``dialogs.signal_actions``) and with the
clock's close reminder of an alert (``dialogs.noodknop``). The shell loads what is needed
(``Promised``) only for a coach who made a promise; a plain ``ClientRef`` is the common case:
the client's own coach, the client reachable.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.clients import ClientRef
from dialogs.outcome import Reply
from dialogs.phone import shown as shown_phone

__all__ = ["REMINDER_KEYS", "Promised", "told_reminder"]

OWN = "coach_relay.told_reminder"  # "... Toch iets sturen? Typ /bericht Sam."
UNREACHABLE = "coach_relay.told_reminder_unreachable"  # "... Bel Sam: +31 6 …"
BACKUP_REPLY = "coach_relay.told_reminder_backup_reply"  # "Antwoord op een bericht van Sam ..."
BACKUP = "coach_relay.told_reminder_backup"  # "Vraag Anna ... Of bel Sam: +31 6 …"
# "Bel Sam" only with a stored number; else, as ``dialogs.reachability.phone_variant`` does
# for the 📵 notices, the ``_no_phone`` variant (none is stored: reach Sam another way). Not
# that function itself: dialogs.reachability imports (through dialogs.coach_notes and
# dialogs.signal_actions) this module.
_NO_PHONE = {UNREACHABLE: f"{UNREACHABLE}_no_phone", BACKUP: f"{BACKUP}_no_phone"}
#: Every reminder of a promise, whichever way it names.
REMINDER_KEYS = frozenset({OWN, BACKUP_REPLY, *_NO_PHONE, *_NO_PHONE.values()})


@dataclass(frozen=True)
class Promised(ClientRef):
    """A client promised a message, as the reminder needs them (loaded by the shell).

    ``own_coach``: the reminded coach is the client's coach (``/bericht`` knows the client).
    ``unreachable``: the client's chat refuses messages now. ``phone``: their stored number
    (E.164). ``coach_name``: the client's own coach, whom a backup can ask. ``can_reply``: for
    a backup, a message of the client's, copied with their open alert, is in this coach's
    chat (a reply to it goes to the client)."""

    own_coach: bool = True
    unreachable: bool = False
    phone: str | None = None
    coach_name: str = ""
    can_reply: bool = False


def told_reminder(client: ClientRef, lead: str | None) -> Reply:
    """What a coach reads when their message to ``client`` is not coming now while the client
    was told one is: ``lead`` ("Oké, ik stuur niets.") and the promise, with the way to keep
    it that works (see the module). Only the bot's own words to the client are named, never
    what they know."""
    promised = client if isinstance(client, Promised) else Promised(client.id, client.name)
    names: dict[str, object] = {"client": promised.name}
    calls: dict[str, object] = {}  # "Bel Sam: +31 6 …" only with a stored number
    if promised.phone is not None:
        calls["phone"] = shown_phone(promised.phone)

    def variant(key: str) -> str:
        return key if promised.phone is not None else _NO_PHONE[key]

    if promised.unreachable:
        return Reply(variant(UNREACHABLE), names | calls, lead=lead)
    if promised.own_coach:
        return Reply(OWN, names, lead=lead)
    if promised.can_reply:
        return Reply(BACKUP_REPLY, names, lead=lead)
    asks = {**names, **calls, "coach": promised.coach_name}
    return Reply(variant(BACKUP), asks, lead=lead)

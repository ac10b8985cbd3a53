"""Which queued messages make a sound on the reader's phone: a pure rule, no I/O.

A coach with 30 clients must be able to leave this chat loud, so that a noodknop is never
muted with the rest. So:

* **alert traffic always sounds** (``Priority.ALERT``: the noodknop, its reminders and
  escalations, words of danger passed on at alert priority, the emergency numbers);
* **a person's message sounds once**: the header line of a relayed message ("💬 Bericht van
  Sam:") sounds, the copy under it arrives silently (one push per message, not two);
* **routine notices arrive silently** (``ROUTINE_KEYS``): a client joined or said no, shared
  a phone number, an earlier check-in note no longer holds, a changed or paused rhythm, "Anna
  saw your message", a client's reaction (👍), the weekly digest, a client moved between
  coaches, a client's alert closed (their menu back). They are still there when the person
  opens the chat; they just do not ring. (Which account opened a client's
  link does ring: a wrong account must be noticed. So a client joining rings the coach once.)
* everything else sounds: check-in questions and their reminder, a check-in's signals (one
  message per check-in, ``dialogs.coach_notes.one_note``), a message that did not arrive.

The worker applies it when it sends a row (``disable_notification``), so no column is needed:
the rule reads what a row already holds (its priority, its text key, whether a header came
before it). A new routine text for someone who is not at their phone belongs in
``ROUTINE_KEYS``; when in doubt a text sounds.
"""

from __future__ import annotations

from storage.outbox import Priority

__all__ = ["ROUTINE_KEYS", "is_silent"]

ROUTINE_KEYS = frozenset(
    {
        "coach.client_joined",
        "coach.client_declined",
        "coach_phone.client_joined",
        "coach_phone.client_shared",
        "coach_checkin.withdrawn",
        "checkin.schedule_changed",
        "checkin.schedule_moment_changed",
        "checkin.paused",
        "checkin.resumed",
        "relay.seen",
        "coach_relay.reacted",  # a client's 👍 under a message: never worth a ring
        "digest.weekly",
        "move.coach_new",
        "move.coach_old",
        "noodknop.closed",  # the client's alert is closed: their menu back, never at night
        "noodknop.closed_help",  # the line under it ("Heb je hulp nodig? ...")
        "noodknop.closed_ended",
    }
)


def is_silent(*, priority: int, text_key: str | None, under_header: bool = False) -> bool:
    """Whether a queued message goes out with ``disable_notification``.

    ``text_key`` None is a copied message without a caption of ours; ``under_header``: a
    header line about it was sent just before (so the copy need not ring as well). A copy that
    carries who it is from as its caption has that text's key, and rings as that text does."""
    if priority == Priority.ALERT:
        return False
    if text_key is None:
        return under_header
    return text_key in ROUTINE_KEYS

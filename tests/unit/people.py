"""The people the dialog unit tests talk about: client Sam of coach Anna, and coach Bram."""

from __future__ import annotations

from dialogs.people import ClientStep, Person, Role

SAM = Person(
    role=Role.CLIENT,
    telegram_user_id=500,
    language="nl",
    id=7,
    name="Sam",
    coach_name="Anna",
    client_step=ClientStep.ACTIVE,
)
ANNA = Person(role=Role.COACH, telegram_user_id=100, language="nl", id=1, name="Anna")
BRAM = Person(role=Role.COACH, telegram_user_id=200, language="nl", id=2, name="Bram")

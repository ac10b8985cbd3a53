"""``forget_account_on_links``: a Telegram account let go from the links it opened, on the
client's own links (a stopped joining) or on everyone else's (an erasure), never both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from storage import people
from storage.database import Database
from storage.invites import forget_account_on_links, issue_invite
from storage.models import Invite, InviteKind

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ACCOUNT, OTHER_ACCOUNT = 500, 600


def _opened(session: Session, kind: InviteKind, client_id: int | None, by: int) -> int:
    invite = issue_invite(
        session, kind=kind, now=NOW, ttl=timedelta(days=14), client_id=client_id
    ).invite
    invite.claimed_by_telegram_user_id, invite.claimed_at = by, NOW
    session.add(invite)
    session.flush()
    assert invite.id is not None
    return invite.id


def _links(database: Database) -> tuple[int, dict[str, int]]:
    """Sam's link and Tim's link opened by ACCOUNT, a coach's link too, and another link of
    Sam's opened by OTHER_ACCOUNT; Sam's id and the links' ids by name."""
    with database.transaction() as session:
        team = people.default_team(session, now=NOW, organisation_name="Gemeente Test")
        coach = people.add_coach(session, team_id=team.id or 0, name="Anna", language="nl", now=NOW)
        sam, tim = (
            people.add_client(session, coach_id=coach.id or 0, name=n, language="nl", now=NOW).id
            or 0
            for n in ("Sam", "Tim")
        )
        return sam, {
            "sam": _opened(session, InviteKind.CLIENT, sam, ACCOUNT),
            "sam by other": _opened(session, InviteKind.CLIENT, sam, OTHER_ACCOUNT),
            "tim": _opened(session, InviteKind.CLIENT, tim, ACCOUNT),
            "coach": _opened(session, InviteKind.COACH, None, ACCOUNT),
        }


@pytest.mark.parametrize(("of_others", "forgotten"), [(False, {"sam"}), (True, {"tim", "coach"})])
def test_the_account_is_forgotten_on_own_or_on_others_links_only(
    database: Database, of_others: bool, forgotten: set[str]
) -> None:
    sam, ids = _links(database)
    with database.transaction() as session:
        loaded = {name: session.get(Invite, i) for name, i in ids.items()}
        count = forget_account_on_links(session, ACCOUNT, client_id=sam, of_others=of_others)
        assert count == len(forgotten)
        # Objects already loaded in the session show it at once.
        assert {n for n, i in loaded.items() if i and i.claimed_by_telegram_user_id is None} == (
            forgotten
        )
    with database.transaction() as session:
        stored = {
            name: (row.claimed_by_telegram_user_id, row.claimed_at)
            for name, i in ids.items()
            if (row := session.get(Invite, i))
        }
    opener = {name: OTHER_ACCOUNT if name == "sam by other" else ACCOUNT for name in ids}
    assert stored == {n: (None, None) if n in forgotten else (opener[n], NOW) for n in ids}

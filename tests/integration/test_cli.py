"""The ``waakvlam`` command as an organisation uses it, in a subprocess, against the sandbox."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select
from telegram_sandbox import TelegramSandbox

from storage import people
from storage.database import Database
from storage.models import Client, Coach, Invite, OutboxMessage

WAAKVLAM = str(Path(sys.executable).with_name("waakvlam"))
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _clean_environment() -> dict[str, str]:
    ours = ("TELEGRAM_", "DATABASE_URL", "WAAKVLAM_")
    return {k: v for k, v in os.environ.items() if not k.startswith(ours)}


async def _waakvlam(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        WAAKVLAM,
        *args,
        env={**_clean_environment(), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_coach_invite_prints_a_single_use_link_last(
    database: Database, tmp_path: Path
) -> None:
    async with TelegramSandbox(bot_username="gemeente_waakvlam_bot") as sandbox:
        env = {
            "TELEGRAM_BOT_TOKEN": sandbox.bot_token,
            "TELEGRAM_API_URL": sandbox.api_root,
            "DATABASE_URL": database.url,
            "WAAKVLAM_DATA_DIR": str(tmp_path),
        }
        code, output = await _waakvlam("db", "upgrade", env=env)
        assert code == 0, output
        code, output = await _waakvlam("coach", "invite", "--name", "Anna de Vries", env=env)
        assert code == 0, output
        link = output.strip().splitlines()[-1]
        assert link.startswith("https://t.me/gemeente_waakvlam_bot?start=")
        assert sandbox.bot_token not in output

        code, listing = await _waakvlam("coach", "list", env=env)
        assert code == 0 and "invited\t0 clients\tAnna de Vries" in listing

    with database.transaction() as session:
        coach = session.exec(select(Coach)).one()
        invite = session.exec(select(Invite)).one()
        assert (coach.name, coach.status, invite.kind, invite.coach_id) == (
            "Anna de Vries",
            "invited",
            "coach",
            coach.id,
        )
        assert link.split("start=")[1] not in invite.token_hash


async def test_deactivate_an_unknown_coach_fails_clearly(tmp_path: Path) -> None:
    code, output = await _waakvlam(
        "coach", "deactivate", "42", env={"WAAKVLAM_DATA_DIR": str(tmp_path)}
    )
    assert code == 1 and "no coach 42" in output


def _coach_with_chat(session: Session, name: str, chat: int) -> int:
    team = people.default_team(session, now=NOW, organisation_name="Test")
    coach = people.add_coach(session, team_id=team.id or 0, name=name, language="nl", now=NOW)
    people.activate_coach(session, coach, telegram_user_id=chat, now=NOW)
    assert coach.id is not None
    return coach.id


async def test_client_list_move_and_deactivate_a_coach_with_clients(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        anna, bram = _coach_with_chat(session, "Anna", 801), _coach_with_chat(session, "Bram", 802)
        for name, chat in (("Sam", 901), ("Kim", 902)):
            client = people.add_client(session, coach_id=anna, name=name, language="nl", now=NOW)
            client.telegram_user_id = chat
            people.activate_client(session, client, now=NOW)
        session.flush()
        sam = session.exec(select(Client).where(Client.name == "Sam")).one().id
    env = {"DATABASE_URL": database.url, "WAAKVLAM_DATA_DIR": str(tmp_path)}

    code, listing = await _waakvlam("client", "list", "--coach", str(anna), env=env)
    assert code == 0, listing
    assert listing.splitlines() == [
        f"{sam}\tSam\tcoach {anna}\tactive\tstart",
        f"{sam + 1}\tKim\tcoach {anna}\tactive\tstart",
    ]
    code, output = await _waakvlam("coach", "deactivate", str(anna), env=env)
    assert code == 1 and "still has 2 clients: move them first" in output

    code, output = await _waakvlam("client", "move", str(sam), "--to", str(bram), env=env)
    assert code == 0 and f"client {sam} moved to coach {bram}" in output, output
    code, output = await _waakvlam("client", "move", str(sam), "--to", "99", env=env)
    assert code == 1 and "not moved: no such coach" in output

    code, output = await _waakvlam(
        "coach", "deactivate", str(anna), "--move-to", str(bram), env=env
    )
    assert code == 0, output
    assert f"clients {sam + 1} moved to coach {bram}" in output
    assert f"coach {anna} deactivated" in output
    with database.transaction() as session:
        coaches = {c.name: c for c in session.exec(select(Coach))}
        assert coaches["Anna"].status == "inactive"
        assert {c.coach_id for c in session.exec(select(Client))} == {bram}
        told = [row.text_key for row in session.exec(select(OutboxMessage))]
        assert told.count("move.client") == 2


async def test_coach_invite_refuses_what_is_not_a_name(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        _coach_with_chat(session, "Anna", 801)
    env = {"DATABASE_URL": database.url, "WAAKVLAM_DATA_DIR": str(tmp_path)}
    for name, said in (
        ("anna", "another coach has this name"),
        ("Ѕam", "letters of one script only"),  # a Cyrillic S
        ("Bram (team Noord)", "only letters, spaces"),
    ):
        code, output = await _waakvlam("coach", "invite", "--name", name, env=env)
        assert code == 2 and f"not invited: {said}" in output, output
    with database.transaction() as session:
        assert [coach.name for coach in session.exec(select(Coach))] == ["Anna"]

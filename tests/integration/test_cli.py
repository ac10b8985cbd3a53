"""The ``waakvlam`` command as an organisation uses it, in a subprocess, against the sandbox."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlmodel import select
from telegram_sandbox import TelegramSandbox

from storage.database import Database
from storage.models import Coach, Invite

WAAKVLAM = str(Path(sys.executable).with_name("waakvlam"))


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

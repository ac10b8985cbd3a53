"""Alembic migrations run from code: ``waakvlam db upgrade`` and the automatic upgrade at start.

The running bot never loads Alembic (11 MiB that would stay for the life of the process: the
bot's peak memory is held under 150 MB, see the README's *Measured*). At start it reads the
database's revision with one query and compares it with the newest migration file
(``schema_is_current``); only when they differ is the upgrade run, in a process of its own
(``bring_up_to_date``), which exits when done. The short-lived commands (``waakvlam db upgrade``,
the CLI, the demo) upgrade in their own process (``upgrade``).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "alembic_config",
    "bring_up_to_date",
    "known_revisions",
    "newest_revision",
    "schema_is_current",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
URL_VARIABLE = "WAAKVLAM_MIGRATE_DATABASE_URL"  # how the upgrade process learns its database


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that migrates the given engine; no alembic.ini needed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``, in this process."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


@cache
def known_revisions() -> dict[str, str | None]:
    """Every migration's revision and the one it builds on, read from the files."""
    revisions: dict[str, str | None] = {}
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = _assignments(path)
        revisions[str(found["revision"])] = found["down_revision"]
    return revisions


def newest_revision() -> str:
    """The revision no migration builds on (they form one line)."""
    revisions = known_revisions()
    built_on = set(revisions.values())
    heads = [revision for revision in revisions if revision not in built_on]
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must form one line; they end in {sorted(heads)}")
    return heads[0]


def _assignments(path: Path) -> dict[str, str | None]:
    """A migration file's ``revision`` and ``down_revision``, read without running it."""
    found: dict[str, str | None] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
                    found[target.id] = ast.literal_eval(node.value)
    return found


def schema_is_current(engine: Engine) -> bool:
    """Whether the database stands at the newest migration (False for a new, empty one).
    Raises when it stands where this code cannot take it: at a revision it does not know (the
    database is newer than the code) or at several."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False  # never migrated
        stored = [
            row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))
        ]
    if len(stored) > 1:
        raise RuntimeError(f"the database stands at several revisions: {sorted(stored)}")
    unknown = [revision for revision in stored if revision not in known_revisions()]
    if unknown:
        raise RuntimeError(
            f"the database stands at revision {unknown[0]}, newer than this code knows "
            f"(newest {newest_revision()}): run the code that migrated it"
        )
    return stored == [newest_revision()]


def bring_up_to_date(engine: Engine) -> None:
    """The schema at the newest migration, for a process that runs long: checked here, and
    upgraded (when needed) by a process of its own, so this one never loads Alembic."""
    if schema_is_current(engine):
        return
    environment = {**os.environ, URL_VARIABLE: engine.url.render_as_string(hide_password=False)}
    # The URL goes by the environment, never the command line (which `ps` shows to everyone).
    subprocess.run([sys.executable, "-m", "storage.migrate"], env=environment, check=True)
    if not schema_is_current(engine):
        raise RuntimeError("the database is still not at the newest migration")


def _upgrade_from_environment() -> None:
    """``python -m storage.migrate``: the upgrade process of ``bring_up_to_date``."""
    from storage.database import Database

    database = Database(os.environ[URL_VARIABLE])
    try:
        upgrade(database.engine)
    finally:
        database.dispose()


if __name__ == "__main__":
    _upgrade_from_environment()

"""The ``waakvlam`` command: run the bot, play the offline demo, manage the database and coaches,
and a client's data rights (export, erase, audit trail)."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from bot import admin, client_admin, client_records
from bot.clock import SystemClock
from bot.logs import configure_logging
from bot.settings import Settings
from bot.texts import load_texts
from dialogs import names
from storage.database import Database
from storage.migrate import upgrade

app = typer.Typer(
    help="Waakvlam: a simple line between a client and their lifecoach.", no_args_is_help=True
)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
coach_app = typer.Typer(help="Coaches of the organisation.", no_args_is_help=True)
client_app = typer.Typer(
    help="A client's data (AVG): export it, erase it, see who did what.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(coach_app, name="coach")
app.add_typer(client_app, name="client")


def _database(settings: Settings) -> Database:
    database = Database(settings.resolved_database_url)
    upgrade(database.engine)
    return database


@contextmanager
def _opened(settings: Settings) -> Iterator[Database]:
    """The database, up to date, closed again afterwards."""
    database = _database(settings)
    try:
        yield database
    finally:
        database.dispose()


@app.command()
def run(
    webhook: bool = typer.Option(False, "--webhook", help="Receive updates by webhook."),
) -> None:
    """Serve Telegram (polling by default). Without a token: play the offline demo."""
    settings = Settings()
    configure_logging()
    if settings.telegram_bot_token is None:
        typer.echo("No TELEGRAM_BOT_TOKEN set: running offline on the built-in Telegram sandbox.")
        demo()
        return
    from bot.runner import run_polling, run_webhook

    (run_webhook if webhook else run_polling)(settings)


def _require_sandbox() -> None:
    """The sandbox is its own distribution (sandbox/), installed with the `sandbox` extra."""
    if importlib.util.find_spec("telegram_sandbox") is None:
        typer.echo("The offline Telegram sandbox is not installed: pip install -e ./sandbox")
        raise typer.Exit(2)


@app.command()
def demo() -> None:
    """Offline walk-through on the built-in Telegram sandbox, printed as a transcript."""
    _require_sandbox()
    from bot.demo import run_demo

    configure_logging(logging.WARNING)  # the transcript on stdout is what people read
    ok = asyncio.run(run_demo(sys.stdout))
    raise typer.Exit(0 if ok else 1)


@app.command()
def sandbox(
    port: int = typer.Option(8081, help="Port on 127.0.0.1."),
    token: str = typer.Option("123456:SANDBOX-token", help="The bot token it accepts."),
) -> None:
    """Serve the Telegram sandbox alone, for trying the bot by hand (TELEGRAM_API_URL)."""
    _require_sandbox()
    from telegram_sandbox import TelegramSandbox

    configure_logging()

    async def serve() -> None:
        box = TelegramSandbox(bot_token=token)
        await box.start(host="127.0.0.1", port=port)
        try:
            typer.echo(f"TELEGRAM_API_URL={box.api_root} TELEGRAM_BOT_TOKEN={token}")
            await asyncio.Event().wait()
        finally:
            await box.stop()

    asyncio.run(serve())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date."""
    settings = Settings()
    database = Database(settings.resolved_database_url)
    upgrade(database.engine)
    typer.echo("database is up to date")


_NAME_PROBLEMS = {
    names.NameProblem.EMPTY: "a name needs letters",
    names.NameProblem.TOO_LONG: (
        f"at most {names.MAX_LENGTH} characters and {names.MAX_WORDS} words"
    ),
    names.NameProblem.NOT_A_NAME: "only letters, spaces, hyphens, apostrophes and full stops",
    names.NameProblem.MIXED_SCRIPTS: "letters of one script only (a lookalike letter from "
    "another alphabet is refused)",
    names.NameProblem.TAKEN: "another coach has this name; add what tells them apart",
}


@coach_app.command("invite")
def coach_invite(name: str = typer.Option(..., "--name", help="The coach's name.")) -> None:
    """Invite a coach; prints a single-use link on the last line.

    The name follows the rules for names (``dialogs.names``): letters of one script, and no
    other coach with the same name."""
    settings = Settings()
    database = _database(settings)
    name = names.clean(name)
    problem = names.check_name(name, [row.name for row in admin.list_coaches(database)])
    if problem is not None:
        typer.echo(f"not invited: {_NAME_PROBLEMS[problem]}", err=True)
        raise typer.Exit(2)
    username = settings.bot_username or asyncio.run(admin.fetch_bot_username(settings))
    issued = admin.invite_coach(
        database,
        settings,
        name=name,
        bot_username=username,
        now=SystemClock().now(),
    )
    typer.echo(
        f"Coach {issued.coach_id} invited; the link works once, until "
        f"{issued.expires_at.astimezone(settings.tz):%Y-%m-%d %H:%M}."
    )
    typer.echo(issued.link)


@coach_app.command("list")
def coach_list() -> None:
    """All coaches with their status and number of clients."""
    for row in admin.list_coaches(_database(Settings())):
        typer.echo(f"{row.id}\t{row.status}\t{row.clients} clients\t{row.name}")


@coach_app.command("backup")
def coach_backup(
    coach_id: int,
    backup: int | None = typer.Option(None, "--backup", help="Id of the coach who stands in."),
    group_chat: int | None = typer.Option(
        None, "--group-chat", help="A team group chat the bot is in (negative id)."
    ),
) -> None:
    """Add a backup for a coach's alerts (in order: the first added is asked first)."""
    try:
        added = admin.add_backup(
            _database(Settings()),
            coach_id=coach_id,
            backup_coach_id=backup,
            group_chat_id=group_chat,
            now=SystemClock().now(),
        )
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    if not added:
        typer.echo("no such coach (or a coach cannot be their own backup)", err=True)
        raise typer.Exit(1)
    typer.echo(f"backup added for coach {coach_id}")


@coach_app.command("hours")
def coach_hours(
    coach_id: int,
    days: str = typer.Option("12345", help="ISO weekdays, e.g. 12345 = Monday to Friday."),
    start: str = typer.Option("09:00", "--from", help="Start, local HH:MM."),
    end: str = typer.Option("17:00", "--until", help="End, local HH:MM (24:00 = midnight)."),
) -> None:
    """When a coach takes alerts; outside these hours alerts also go to the backups at once."""
    try:
        found = admin.set_availability(
            _database(Settings()),
            coach_id=coach_id,
            days=days,
            start=start,
            end=end,
            now=SystemClock().now(),
        )
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    if not found:
        typer.echo(f"no coach {coach_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"coach {coach_id} takes alerts on days {days}, {start}-{end}")


@coach_app.command("deactivate")
def coach_deactivate(
    coach_id: int,
    move_to: Annotated[
        int | None,
        typer.Option("--move-to", metavar="COACH", help="Move their clients to this coach first."),
    ] = None,
) -> None:
    """Stop a coach from using the bot. Their clients must be moved first (here with
    --move-to, or one by one with `client move`): nobody's alerts may go into the void."""
    database, now = _database(Settings()), SystemClock().now()
    if move_to is not None:
        moved, refused = client_admin.move_all_clients(
            database, from_coach_id=coach_id, to_coach_id=move_to, now=now
        )
        for client_id, why in refused.items():
            typer.echo(f"client {client_id} not moved: {why}", err=True)
        if refused:
            typer.echo("nobody was moved; coach not deactivated", err=True)
            raise typer.Exit(1)
        if moved:
            typer.echo(f"clients {', '.join(map(str, moved))} moved to coach {move_to}")
    left = client_admin.clients_in_care(database, coach_id)
    if left:
        typer.echo(
            f"coach {coach_id} still has {left} clients: move them first "
            "(--move-to COACH, or `waakvlam client move CLIENT --to COACH`)",
            err=True,
        )
        raise typer.Exit(1)
    if not admin.deactivate_coach(database, coach_id=coach_id, now=now):
        typer.echo(f"no coach {coach_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"coach {coach_id} deactivated")


@client_app.command("list")
def client_list(
    coach: Annotated[
        int | None, typer.Option("--coach", metavar="COACH", help="Only this coach's clients.")
    ] = None,
) -> None:
    """Clients by id: name, coach, status and phase (tab-separated)."""
    with _opened(Settings()) as database:
        rows = client_admin.list_clients(database, coach_id=coach)
    for row in rows:
        typer.echo(f"{row.id}\t{row.name}\tcoach {row.coach_id}\t{row.status}\t{row.phase or '-'}")


@client_app.command("move")
def client_move(
    client_id: Annotated[int, typer.Argument(metavar="CLIENT", help="The client's id.")],
    to: Annotated[int, typer.Option("--to", metavar="COACH", help="The new coach's id.")],
) -> None:
    """Give a client another coach: the history stays, the old coach loses access at once,
    and the client gets one calm message naming the new coach."""
    with _opened(Settings()) as database:
        refused = client_admin.move_client(
            database, client_id=client_id, to_coach_id=to, now=SystemClock().now()
        )
    if refused is not None:
        typer.echo(f"client {client_id} not moved: {refused}", err=True)
        raise typer.Exit(1)
    typer.echo(f"client {client_id} moved to coach {to}")


@client_app.command("export")
def client_export(
    client_id: Annotated[int, typer.Argument(metavar="CLIENT", help="The client's id.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the two files.")],
) -> None:
    """Write everything stored about a client: JSON, and a page in easy language for them.

    Writes client-CLIENT.json and client-CLIENT.html, readable by you only: health data."""
    settings = Settings()
    texts = load_texts(settings.default_language, settings.tz)
    with _opened(settings) as database:
        written = client_records.export_client(
            database, texts, client_id=client_id, out_dir=out, now=SystemClock().now()
        )
    if written is None:
        typer.echo(f"no client {client_id}", err=True)
        raise typer.Exit(1)
    if written.notices_left_out:
        typer.echo(
            f"{written.notices_left_out} notices to a coach left out: another client of that "
            "coach has the same name, so they may be about them"
        )
    typer.echo(str(written.json))
    typer.echo(str(written.html))


@client_app.command("erase")
def client_erase(
    client_id: Annotated[int, typer.Argument(metavar="CLIENT", help="The client's id.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask to confirm (for scripts).")
    ] = False,
) -> None:
    """Remove a client and everything about them, for good, in one transaction.

    Audit events about them stay, without anything that points to the person."""
    settings = Settings()
    with _opened(settings) as database:
        label = client_records.describe_client(database, client_id)
        if label is None:
            typer.echo(f"no client {client_id}", err=True)
            raise typer.Exit(1)
        if not yes:
            typer.confirm(
                f"Erase client {label.id} ({label.name}, coach {label.coach_id}, {label.status}) "
                "and everything about them? This cannot be undone",
                abort=True,
            )
        erased = client_records.erase_client(
            database,
            client_id=client_id,
            now=SystemClock().now(),
            voice_cache=settings.voice_cache_dir,
        )
    if erased is None:
        typer.echo(f"no client {client_id}", err=True)
        raise typer.Exit(1)
    counts = ", ".join(f"{table} {n}" for table, n in erased.deleted.items() if n)
    typer.echo(f"client {client_id} erased; rows deleted: {counts}")
    typer.echo(f"audit events kept without identifiers: {erased.audit_events_anonymised}")
    typer.echo(f"read-aloud clips that said their name deleted: {erased.voice_clips_deleted}")
    if erased.notices_kept:
        typer.echo(
            f"{erased.notices_kept} unsent notices to a coach kept: they name a client with the "
            "same name, so they may be about them; they go after WAAKVLAM_OUTBOX_KEEP_DAYS "
            "once sent"
        )


@client_app.command("audit")
def client_audit(
    client_id: Annotated[int, typer.Argument(metavar="CLIENT", help="The client's id.")],
) -> None:
    """Who did what about a client, when (local time, ids only)."""
    settings = Settings()
    with _opened(settings) as database:
        lines = client_records.audit_of(database, client_id)
        known = lines or client_records.describe_client(database, client_id) is not None
    if not known:
        typer.echo(f"no client {client_id}", err=True)
        raise typer.Exit(1)
    for line in lines:
        moment = line.at.astimezone(settings.tz)
        typer.echo(f"{moment:%Y-%m-%d %H:%M:%S}\t{line.actor}\t{line.action}\t{line.subject}")

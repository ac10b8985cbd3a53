"""Benchmark (issue 3): 10,000 clients whose weekly check-in is due in the same minute.

The real bot, in this process, polls the sandbox over HTTP; the sandbox serves from a process
of its own (bench/_sandbox_process.py), so the bot's memory and CPU are measured apart from
the sandbox's, which keeps every simulated person and message. The sandbox answers 429 like
Telegram when the bot sends faster than ``--limit`` messages/s (default: Telegram's 30/s; the
bot's own limiter keeps to 29/s). The clients are seeded straight into the database by the
sandbox's process (active, each with a private chat that started the bot) with one weekly
schedule each, all due Wednesday 10:00 Europe/Amsterdam. The bot's clock stands still while
the scene is set and then runs in real time from that due moment, so quiet hours never
interfere and retry times still come. The service's tick is called once, as the JobQueue
calls it; then the outbox worker sends.

Each check-in is one message: the intro line above the first question (``questions.grade``).
Prints the time the tick took (claiming, 10,000 check-ins and 10,000 outbox rows written), the
longest event-loop stall, the time until every client had the first question, the send rate
against the limit, 429s, CPU seconds per check-in, and the bot's peak resident memory
(``VmHWM``, and sampled while it sends) beside the sandbox's. ``--trace-memory N`` shows where
the bot's heap grew (tracemalloc; slow). Figures only; never part of the test run's pass/fail.

    .venv/bin/python -m bench.checkin_fanout [--clients N] [--database sqlite|postgresql]
        [--limit PER_SECOND] [--per-chat PER_SECOND] [--postgres-server URL]
        [--profile-tick LINES] [--trace-memory LINES]

10,000 clients take about 6 minutes (10,000 messages at 29/s). ``--database postgresql``
creates a database of its own on the server and drops it after. ``--per-chat 1`` also limits
each chat to one message a second, with no burst (stricter than Telegram, which allows short
bursts in a private chat).

Longer than our ~400 lines on purpose: one scene (seed, tick, watch the sends and the loop,
report) reads best in one place.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlmodel import col
from telegram.constants import FloodLimit

from bench._harness import POSTGRES_SERVER, BenchApart, running_bot_apart, temporary_database
from bench._sandbox_process import cpu_seconds, rss_mib
from bot.runner import settle_heap
from storage.database import Database
from storage.models import (
    CheckinSchedule,
    Client,
    ClientStatus,
    CoachAssignment,
    OutboxMessage,
    ScheduleChange,
    SupportPhase,
    SupportPhaseName,
)
from storage.outbox import Priority

if TYPE_CHECKING:  # the sandbox runs in a process of its own: the bot's never loads it
    from telegram_sandbox import TelegramSandbox

TIMEZONE = "Europe/Amsterdam"
# A Wednesday at 10:00 in Amsterdam (CET): well outside the quiet hours.
DUE = datetime(2025, 1, 15, 10, 0, tzinfo=ZoneInfo(TIMEZONE)).astimezone(UTC)
FIRST_QUESTION = "questions.grade"
INTRO = "checkin.intro"
STALL = 0.1  # an event-loop stall longer than this counts (seconds)


class BenchClock:
    """Stands still at ``start`` until ``run_from``; from then on real time from that moment.

    A clock that never moves would keep a row that got a 429 waiting for ever (its retry time
    never comes), so after the tick the bot's time runs like the wall clock."""

    def __init__(self, start: datetime) -> None:
        self._base = start.astimezone(UTC)
        self._since: float | None = None

    def now(self) -> datetime:
        if self._since is None:
            return self._base
        return self._base + timedelta(seconds=time.perf_counter() - self._since)

    def run_from(self, moment: datetime) -> None:
        self._base = moment.astimezone(UTC)
        self._since = time.perf_counter()


@dataclass
class LoopWatch:
    """How late the event loop wakes a 50 ms sleeper: a stall is a blocked loop."""

    interval: float = 0.05
    longest: float = 0.0
    stalled: float = 0.0  # seconds spent in stalls longer than STALL
    stalls: int = 0
    lags: list[float] = field(default_factory=list)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            lag = loop.time() - before - self.interval
            self.lags.append(lag)
            self.longest = max(self.longest, lag)
            if lag > STALL:
                self.stalls += 1
                self.stalled += lag


@dataclass
class GcWatch:
    """The garbage collector's pauses (every generation), to tell them from blocking work."""

    longest: float = 0.0
    full_collections: int = 0
    _started: float = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.longest = max(self.longest, time.perf_counter() - self._started)
        self.full_collections += info["generation"] == 2


def seed_world(
    sandbox: TelegramSandbox, clients: int, url: str, coach_id: int, now: datetime
) -> list[int]:
    """In the sandbox's process: the clients as people who started a private chat with the
    bot, and as rows in the database (as if they had joined over the months before)."""
    chat_ids = []
    for number in range(clients):
        person = sandbox.user(first_name=f"Client{number}")
        sandbox.state.chats[person.id].started = True
        chat_ids.append(person.id)
    database = Database(url)
    try:
        seed(database, coach_id, chat_ids, now=now)
    finally:
        database.dispose()
    return chat_ids


def seed(database: Database, coach_id: int, chat_ids: list[int], *, now: datetime) -> None:
    """Active clients with a started private chat and a weekly schedule due at ``DUE``."""
    clients = len(chat_ids)
    local_due = DUE.astimezone(ZoneInfo(TIMEZONE))
    with database.transaction() as session:
        session.execute(
            insert(Client),
            [
                {
                    "coach_id": coach_id,
                    "name": f"Client{number}",
                    "status": ClientStatus.ACTIVE.value,
                    "telegram_user_id": chat_id,
                    "language": "nl",
                    "read_aloud": False,
                    "consent_at": now,
                    "consent_version": "1",
                    "created_at": now,
                    "updated_at": now,
                }
                for number, chat_id in enumerate(chat_ids)
            ],
        )
        ids = [
            row[0]
            for row in session.execute(
                select(col(Client.id)).where(col(Client.coach_id) == coach_id)
            )
        ]
        assert len(ids) == clients
        session.execute(
            insert(CoachAssignment),
            [{"client_id": i, "coach_id": coach_id, "started_at": now} for i in ids],
        )
        session.execute(
            insert(SupportPhase),
            [
                {"client_id": i, "phase": SupportPhaseName.START.value, "started_at": now}
                for i in ids
            ],
        )
        # What storage.checkins.set_schedule writes, for 10,000 rows at once.
        schedule = {
            "rhythm": "weekly",
            "weekday": local_due.weekday(),
            "at": local_due.strftime("%H:%M"),
            "timezone": TIMEZONE,
        }
        session.execute(
            insert(CheckinSchedule),
            [
                {
                    **schedule,
                    "client_id": i,
                    "starts": local_due.date(),
                    "paused": False,
                    "next_due_at": DUE,
                    "updated_at": now,
                }
                for i in ids
            ],
        )
        session.execute(
            insert(ScheduleChange),
            [
                {
                    "client_id": i,
                    "coach_id": None,
                    "at": now,
                    "rhythm": schedule["rhythm"],
                    "weekday": schedule["weekday"],
                    "time": schedule["at"],
                    "paused": False,
                }
                for i in ids
            ],
        )


def configured_limit(application: Any) -> float:
    """Messages per second the bot's rate limiter allows (bot/ratelimit.py)."""
    limiter = getattr(application.bot, "rate_limiter", None)
    rate = getattr(limiter, "overall_rate", None)
    if rate is not None:
        return float(rate)
    return float(FloodLimit.MESSAGES_PER_SECOND)


@dataclass
class Progress:
    delivered: int = 0
    complete: bool = False
    rate_limited_at: list[float] = field(default_factory=list)  # seconds after the tick began


def sandbox_counts(sandbox: TelegramSandbox) -> dict[str, int]:
    """In the sandbox's process: its counters."""
    return dict(sandbox.stats)


def set_rate_limits(sandbox: TelegramSandbox, per_chat: float | None, overall: float) -> None:
    """In the sandbox's process: answer 429 above these rates, as Telegram does."""
    sandbox.rate_limits(per_chat, overall)


def chats_reached(sandbox: TelegramSandbox, chat_ids: list[int]) -> int:
    """In the sandbox's process: how many of these chats got a message with buttons."""
    chats = sandbox.state.chats
    return sum(1 for c in chat_ids if any(m.reply_markup for m in chats[c].inbox))


async def wait_for_sends(
    bench: BenchApart, expected: int, baseline: int, started: float, memory: Memory
) -> Progress:
    """Poll the sandbox until ``expected`` more bot messages arrived, or progress stops for
    two minutes; note when 429s were answered (to 50 ms) and the bot's resident memory."""
    stats = await bench.sandbox.call(sandbox_counts)
    progress = Progress()
    seen_429 = stats.get("429", 0)
    last_count, last_change = -1, time.perf_counter()
    last_report = time.perf_counter()
    while True:
        stats = await bench.sandbox.call(sandbox_counts)
        memory.sample()
        progress.delivered = delivered = stats.get("bot_messages", 0) - baseline
        now = time.perf_counter()
        answered_429 = stats.get("429", 0)
        if answered_429 > seen_429:
            progress.rate_limited_at += [now - started] * (answered_429 - seen_429)
            seen_429 = answered_429
        if delivered >= expected:
            progress.complete = True
            return progress
        if delivered != last_count:
            last_count, last_change = delivered, now
        elif now - last_change > 120:
            return progress
        if now - last_report >= 30:
            last_report = now
            print(
                f"  ... {now - started:5.0f} s: {delivered:,}/{expected:,} messages, "
                f"429s {len(progress.rate_limited_at)}, bot RSS {rss_mib()[0]:.0f} MiB "
                f"(sandbox {bench.sandbox.memory()[0]:.0f} MiB)",
                file=sys.stderr,
                flush=True,
            )
        await asyncio.sleep(0.05)


@dataclass
class Memory:
    """The bot process's resident memory, sampled while it sends (MiB)."""

    highest_sampled: float = 0.0

    def sample(self) -> None:
        self.highest_sampled = max(self.highest_sampled, rss_mib()[0])


async def settled(bench: BenchApart, within: float = 10.0) -> None:
    """Wait until the worker marked what Telegram has (the sandbox counts a message before
    the bot hears back and writes ``sent_at``)."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        with bench.database.transaction() as session:
            open_rows = session.execute(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    col(OutboxMessage.priority) == Priority.CHECKIN,
                    col(OutboxMessage.sent_at).is_(None),
                    col(OutboxMessage.failed_at).is_(None),
                )
            ).scalar_one()
        if open_rows == 0:
            return
        await asyncio.sleep(0.1)


def outbox_rows(
    bench: BenchApart,
) -> list[tuple[str, datetime | None, int, str | None, str | None]]:
    """The check-in rows: (text key, sent at, attempts, error, lead key)."""
    with bench.database.transaction() as session:
        statement = select(
            col(OutboxMessage.text_key),
            col(OutboxMessage.sent_at),
            col(OutboxMessage.attempts),
            col(OutboxMessage.error),
            col(OutboxMessage.lead_key),
        ).where(col(OutboxMessage.priority) == Priority.CHECKIN)
        return [(r[0], r[1], r[2], r[3], r[4]) for r in session.execute(statement)]


def slowest_window(moments: list[float], width: float = 10.0) -> float:
    """Fewest messages sent in any full ``width``-second window of the send phase, per s."""
    if not moments or moments[-1] - moments[0] < width:
        return float("nan")
    ordered = sorted(moments)
    start, end = ordered[0], ordered[-1]
    counts = [0] * (int((end - start) // width) + 1)
    for moment in ordered:
        counts[int((moment - start) // width)] += 1
    full = counts[:-1]  # the last window is cut short
    return min(full) / width if full else float("nan")


async def run(args: argparse.Namespace) -> None:
    clients: int = args.clients
    clock = BenchClock(DUE - timedelta(hours=1))
    memory = Memory()
    with temporary_database(args.database, args.postgres_server) as url:
        async with running_bot_apart(url, record_calls=False, clock=clock) as bench:
            box = bench.sandbox
            limit = configured_limit(bench.application)
            telegram_limit = args.limit
            await box.call(set_rate_limits, args.per_chat, telegram_limit)
            rss_bot = rss_mib()[0]  # the bot started, nobody seeded
            setup_started = time.perf_counter()
            chat_ids = await box.call(
                seed_world,
                clients,
                bench.settings.resolved_database_url,
                bench.coach_id,
                clock.now(),
            )
            setup = time.perf_counter() - setup_started
            print(f"  seeded {clients:,} clients in {setup:.1f} s", file=sys.stderr, flush=True)
            settle_heap()  # as `waakvlam run` does once started
            await asyncio.sleep(1)  # let the coach's welcome go out first
            stats = await box.call(sandbox_counts)
            baseline, base_429 = stats.get("bot_messages", 0), stats.get("429", 0)
            base_sends = stats.get("calls:sendMessage", 0)
            rss_before, peak_before = rss_mib()
            if args.trace_memory:
                tracemalloc.start(25)
                traced_before = tracemalloc.take_snapshot()

            watch = LoopWatch()
            watcher = asyncio.create_task(watch.run())
            gc_watch = GcWatch()
            gc.callbacks.append(gc_watch)
            await asyncio.sleep(0.2)
            cpu_started = time.process_time()
            sandbox_cpu_started = cpu_seconds(box.pid)
            started = time.perf_counter()
            clock.run_from(DUE)
            profiler = cProfile.Profile() if args.profile_tick else None
            if profiler is not None:
                profiler.enable()
            await bench.service.tick(bench.application.bot)  # what the JobQueue calls
            if profiler is not None:
                profiler.disable()
            tick = time.perf_counter() - started
            tick_cpu = time.process_time() - cpu_started
            rss_after_tick = rss_mib()[0]
            progress = await wait_for_sends(bench, clients, baseline, started, memory)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            sandbox_cpu = cpu_seconds(box.pid) - sandbox_cpu_started
            watcher.cancel()
            await settled(bench)
            rss_end, peak = rss_mib()  # before this benchmark reads the rows back
            if args.trace_memory:
                print_memory_growth(traced_before, tracemalloc.take_snapshot(), args.trace_memory)
                tracemalloc.stop()
            sandbox_rss, sandbox_peak = box.memory()
            rows = outbox_rows(bench)
            stats = await box.call(sandbox_counts)
            answers_429 = stats.get("429", 0) - base_429
            send_calls = stats.get("calls:sendMessage", 0) - base_sends
            errors = {k: v for k, v in stats.items() if k in ("400", "403", "500", "dropped")}
            reached = await box.call(chats_reached, chat_ids)

    due = DUE.timestamp()
    sent = [r for r in rows if r[1] is not None]
    moments = sorted(r[1].timestamp() - due for r in sent if r[1] is not None)
    questions = sorted(
        r[1].timestamp() - due for r in sent if r[0] == FIRST_QUESTION and r[1] is not None
    )
    intros = sum(1 for r in sent if r[4] == INTRO)
    retried = sum(1 for r in rows if r[2] > 0)
    send_phase = moments[-1] - moments[0] if len(moments) > 1 else float("nan")
    send_rate = (len(moments) - 1) / send_phase if len(moments) > 1 else float("nan")
    overall_rate = len(moments) / moments[-1] if moments else float("nan")
    checkins = len(questions) or 1
    lags = sorted(watch.lags)
    lag_p99 = lags[min(len(lags) - 1, round(0.99 * (len(lags) - 1)))] if lags else 0.0
    per_chat = f"{args.per_chat:g}/s per chat" if args.per_chat else "no per-chat limit"

    print(
        f"check-in fan-out benchmark ({args.database}, the sandbox in a process of its own, "
        f"{os.cpu_count()} cores)"
    )
    print(f"  clients due in the same minute   : {clients:,}")
    print(
        f"  rate limits                      : bot {limit:g}/s (PriorityRateLimiter); sandbox "
        f"answers 429 above {telegram_limit:g}/s, {per_chat}"
    )
    print(
        f"  tick (claim + check-ins + outbox): {tick:.2f} s "
        f"({tick / clients * 1000:.2f} ms per check-in, {tick_cpu:.2f} s CPU)"
    )
    print(
        f"  event loop                       : longest stall {watch.longest:.2f} s, "
        f"p99 lag {lag_p99 * 1000:.0f} ms, {watch.stalls} stalls > {STALL * 1000:.0f} ms "
        f"({watch.stalled:.1f} s in all); longest garbage collection "
        f"{gc_watch.longest * 1000:.0f} ms ({gc_watch.full_collections} full)"
    )
    delivered, complete = progress.delivered, progress.complete
    status = "" if complete else "  (INCOMPLETE: sending stopped making progress)"
    print(
        f"  first questions delivered        : {len(questions):,} of {clients:,} "
        f"(to {reached:,} chats), intros {intros:,}{status}"
    )
    if questions:
        print(
            f"  time to first questions          : first {questions[0]:.1f} s, "
            f"median {statistics.median(questions):.1f} s, all {questions[-1]:.1f} s"
        )
    print(
        f"  time to all messages             : {wall:.1f} s for {delivered:,} "
        f"(last row marked sent {moments[-1] if moments else float('nan'):.1f} s after the tick)"
    )
    print(
        f"  send rate, all messages          : {send_rate:.1f}/s while sending "
        f"= {send_rate / limit:.0%} of {limit:g}/s; {overall_rate:.1f}/s incl. the tick "
        f"= {overall_rate / limit:.0%}; slowest 10 s window {slowest_window(moments):.1f}/s"
    )
    print(
        f"  429 answers (goal: none)         : {answers_429:,} "
        f"({send_calls:,} sendMessage calls for {delivered:,} messages; "
        f"{retried:,} rows retried; other errors {errors or 'none'})"
    )
    if progress.rate_limited_at:
        moments_429 = ", ".join(f"{t:.1f}" for t in progress.rate_limited_at[:10])
        more = " ..." if len(progress.rate_limited_at) > 10 else ""
        print(f"  429s answered at (s after tick)  : {moments_429}{more}")
    print(
        f"  CPU per check-in sent            : bot {cpu / checkins * 1000:.1f} ms "
        f"({cpu:.1f} s CPU in {wall:.1f} s); the sandbox another "
        f"{sandbox_cpu / checkins * 1000:.1f} ms"
    )
    print(
        f"  the bot's memory                 : peak RSS {peak:.0f} MiB = {peak * 1.048576:.0f} MB"
        f" (highest sampled while sending {memory.highest_sampled:.0f} MiB); started, nobody "
        f"seeded {rss_bot:.0f} MiB; before the tick {rss_before:.0f} MiB (peak so far "
        f"{peak_before:.0f}); after the tick {rss_after_tick:.0f} MiB; all sent {rss_end:.0f} MiB"
    )
    print(
        f"  the sandbox's memory             : {sandbox_rss:.0f} MiB at the end, peak "
        f"{sandbox_peak:.0f} MiB (its own process: every person and message it keeps)"
    )
    if profiler is not None:
        print_profile(profiler, args.profile_tick)


def print_memory_growth(
    before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, lines: int
) -> None:
    """What the bot allocated during the fan-out and still holds, by where it was made."""
    print(f"  memory still held after the fan-out (tracemalloc, top {lines} by size):")
    for stat in after.compare_to(before, "traceback")[:lines]:
        print(f"    {stat.size_diff / 2**20:+7.2f} MiB in {stat.count_diff:+,} blocks")
        for line in stat.traceback.format(limit=6):
            print(f"      {line}")


def print_profile(profiler: cProfile.Profile, lines: int) -> None:
    print(f"  tick profile (cProfile, slows the tick down; top {lines} by cumulative time):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--limit",
        type=float,
        default=float(FloodLimit.MESSAGES_PER_SECOND),
        help="messages/s above which the sandbox answers 429, as Telegram does (default 30)",
    )
    parser.add_argument(
        "--per-chat",
        type=float,
        default=None,
        help="also answer 429 above this many messages/s to one chat (default: off)",
    )
    parser.add_argument("--postgres-server", default=POSTGRES_SERVER)
    parser.add_argument(
        "--trace-memory",
        type=int,
        default=0,
        metavar="LINES",
        help="trace the bot's allocations (tracemalloc, slow) and print where it grew most",
    )
    parser.add_argument(
        "--profile-tick",
        type=int,
        default=0,
        metavar="LINES",
        help="profile the tick with cProfile and print this many lines (its time grows)",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

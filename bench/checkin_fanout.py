"""Benchmark (issue 3): 10,000 clients whose weekly check-in is due in the same minute.

The real bot polls the sandbox over HTTP (one process, 2 cores); the sandbox answers 429 like
Telegram when the bot sends faster than ``--limit`` messages/s (default: Telegram's 30/s; the
bot's own limiter keeps to 29/s). The clients are seeded straight into the database (active,
each with a private chat that started the bot) with one weekly schedule each, all due Wednesday
10:00 Europe/Amsterdam. The bot's clock stands still while the scene is set and then runs in
real time from that due moment, so quiet hours never interfere and retry times still come. The
service's tick is called once, as the JobQueue calls it; then the outbox worker sends.

Each check-in is one message: the intro line above the first question (``questions.grade``).
Prints the time the tick took (claiming, 10,000 check-ins and 10,000 outbox rows written), the
longest event-loop stall, the time until every client had the first question, the send rate
against the limit, 429s, CPU seconds per check-in and peak memory. Figures only; never part
of the test run's pass/fail.

    .venv/bin/python -m bench.checkin_fanout [--clients N] [--database sqlite|postgresql]
        [--limit PER_SECOND] [--per-chat PER_SECOND] [--postgres-server URL]
        [--profile-tick LINES]

10,000 clients take about 6 minutes (10,000 messages at 29/s). ``--database postgresql``
creates a database of its own on the server and drops it after. ``--per-chat 1`` also limits
each chat to one message a second, with no burst (stricter than Telegram, which allows short
bursts in a private chat).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlmodel import col
from telegram.constants import FloodLimit

from bench._harness import POSTGRES_SERVER, Bench, running_bot, temporary_database
from bot.runner import settle_heap
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


def seed(bench: Bench, clients: int, *, now: datetime) -> list[int]:
    """Active clients with a started private chat and a weekly schedule due at ``DUE``."""
    sandbox = bench.sandbox
    chat_ids = []
    for number in range(clients):
        person = sandbox.user(first_name=f"Client{number}")
        sandbox.state.chats[person.id].started = True
        chat_ids.append(person.id)
    local_due = DUE.astimezone(ZoneInfo(TIMEZONE))
    with bench.database.transaction() as session:
        session.execute(
            insert(Client),
            [
                {
                    "coach_id": bench.coach_id,
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
                select(col(Client.id)).where(col(Client.coach_id) == bench.coach_id)
            )
        ]
        assert len(ids) == clients
        session.execute(
            insert(CoachAssignment),
            [{"client_id": i, "coach_id": bench.coach_id, "started_at": now} for i in ids],
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
    return chat_ids


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


async def wait_for_sends(bench: Bench, expected: int, baseline: int, started: float) -> Progress:
    """Poll the sandbox until ``expected`` more bot messages arrived, or progress stops for
    two minutes; note when 429s were answered (to 50 ms)."""
    stats = bench.sandbox.stats
    progress = Progress()
    seen_429 = stats["429"]
    last_count, last_change = -1, time.perf_counter()
    last_report = time.perf_counter()
    while True:
        progress.delivered = delivered = stats["bot_messages"] - baseline
        now = time.perf_counter()
        if stats["429"] > seen_429:
            progress.rate_limited_at += [now - started] * (stats["429"] - seen_429)
            seen_429 = stats["429"]
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
                f"429s {len(progress.rate_limited_at)}, RSS {_rss_mib():.0f} MiB",
                file=sys.stderr,
                flush=True,
            )
        await asyncio.sleep(0.05)


async def settled(bench: Bench, within: float = 10.0) -> None:
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


def outbox_rows(bench: Bench) -> list[tuple[str, datetime | None, int, str | None, str | None]]:
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


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def run(args: argparse.Namespace) -> None:
    clients: int = args.clients
    clock = BenchClock(DUE - timedelta(hours=1))
    with temporary_database(args.database, args.postgres_server) as url:
        async with running_bot(url, record_calls=False, clock=clock) as bench:
            limit = configured_limit(bench.application)
            telegram_limit = args.limit
            bench.sandbox.rate_limits(args.per_chat, telegram_limit)
            rss_bot = _rss_mib()  # the bot started, the sandbox still empty
            setup_started = time.perf_counter()
            chat_ids = seed(bench, clients, now=clock.now())
            setup = time.perf_counter() - setup_started
            print(f"  seeded {clients:,} clients in {setup:.1f} s", file=sys.stderr, flush=True)
            # As `waakvlam run` does once started; here it also takes the sandbox's people out of
            # the collector's way: they stand for Telegram's servers, not for the bot's heap.
            settle_heap()
            await asyncio.sleep(1)  # let the coach's welcome go out first
            stats = bench.sandbox.stats
            baseline, base_429 = stats["bot_messages"], stats["429"]
            base_sends = stats["calls:sendMessage"]
            rss_before = _rss_mib()
            peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

            watch = LoopWatch()
            watcher = asyncio.create_task(watch.run())
            gc_watch = GcWatch()
            gc.callbacks.append(gc_watch)
            await asyncio.sleep(0.2)
            cpu_started = time.process_time()
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
            progress = await wait_for_sends(bench, clients, baseline, started)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            watcher.cancel()
            await settled(bench)
            rows = outbox_rows(bench)
            answers_429 = stats["429"] - base_429
            send_calls = stats["calls:sendMessage"] - base_sends
            errors = {k: v for k, v in stats.items() if k in ("400", "403", "500", "dropped")}
            reached = {
                chat_id
                for chat_id in chat_ids
                if any(m.reply_markup for m in bench.sandbox.state.chats[chat_id].inbox)
            }
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

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
        f"check-in fan-out benchmark ({args.database}, bot + sandbox in one process, "
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
        f"(to {len(reached):,} chats), intros {intros:,}{status}"
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
        f"  CPU per check-in sent            : {cpu / checkins * 1000:.1f} ms "
        f"({cpu:.1f} s CPU in {wall:.1f} s, bot + sandbox)"
    )
    print(
        f"  memory                           : peak RSS {peak:.0f} MiB "
        f"(bot started, nobody seeded: {rss_bot:.0f} MiB; before the tick: {rss_before:.0f} MiB,"
        f" peak so far {peak_before:.0f} MiB)"
    )
    if profiler is not None:
        print_profile(profiler, args.profile_tick)


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
        "--profile-tick",
        type=int,
        default=0,
        metavar="LINES",
        help="profile the tick with cProfile and print this many lines (its time grows)",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

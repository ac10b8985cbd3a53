"""The picture on a client's card, drawn in a worker process of its own (``bot.chart_picture``
draws; what to show is decided in ``dialogs.client_card``).

Why a process, not a thread: matplotlib holds the interpreter lock while it draws, and the
first picture of a process imports it (1-2.6 s); in a thread of the bot a noodknop press
arriving meanwhile waited for it. The worker (one, ``spawn``: a fresh interpreter, nothing
inherited from the bot's threads) gets plain data (a ``Chart`` and the legend's texts) and
returns PNG bytes; the bot process never imports matplotlib (it also stays smaller: issue 13).
``waakvlam run`` starts the worker at start-up and has it load matplotlib then (``start``,
without waiting for it); elsewhere (tests, the demo) it starts with the first card. One
picture at a time. A picture that fails, or takes longer than ``DRAW_TIMEOUT`` (the worker
is then killed and a new one started for the next card), or a worker that died: the card
goes without its picture (logged, no content). ``stop`` ends the worker when the bot stops.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from bot.chart_picture import draw, warm_up
from bot.render import RenderedReply
from dialogs.card_chart import LABELS, Chart

__all__ = ["CAPTION_MAX", "DRAWER", "DRAW_TIMEOUT", "ChartDrawer", "with_chart"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

CAPTION_MAX = 1024  # Telegram's limit for a photo's caption
# Seconds from asking to having the picture: a cold worker (started, matplotlib imported) on
# a busy machine takes a few; a warm one 0.1-0.2 s per picture.
DRAW_TIMEOUT = 20.0


class ChartDrawer:
    """One worker process that draws card pictures, started when first needed."""

    def __init__(self, timeout: float = DRAW_TIMEOUT) -> None:
        self.timeout = timeout
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the worker and have it load matplotlib, without waiting for either."""
        self._submit(warm_up)  # a failure here shows (logged) at the first card

    async def draw(self, chart: Chart, labels: Mapping[str, str]) -> bytes:
        """The PNG, drawn in the worker; raises when it fails, times out or the worker died."""
        pool = self._running()
        try:
            future = self._submit(draw, chart, dict(labels))  # refused once the worker died
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except (TimeoutError, BrokenProcessPool):
            self._discard(pool)  # stuck or dead: the next card starts a new worker
            raise  # (a drawing that failed in a healthy worker: it draws the next one)

    async def worker_pid(self) -> int:
        """The worker's process id, starting it if needed (tests and benchmarks)."""
        return await asyncio.wrap_future(self._submit(os.getpid))

    async def stop(self) -> None:
        """End the worker (a picture being drawn is finished first, queued ones dropped)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            stop = partial(pool.shutdown, wait=True, cancel_futures=True)
            await asyncio.get_running_loop().run_in_executor(None, stop)

    def _running(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._pool

    def _submit(self, function: Callable[..., _T], *args: Any) -> Future[_T]:
        """``function(*args)`` in the worker (started here when there is none)."""
        with _main_left_behind():
            return self._running().submit(function, *args)

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
        # Python 3.11 has no ProcessPoolExecutor.kill_workers (3.14): its process table.
        for process in list((pool._processes or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def _main_left_behind() -> Iterator[None]:
    """While a worker is started: "spawn" has a new process import the parent's main module
    first (``waakvlam``'s script: the whole bot; 180 instead of 70 MiB, 5 instead of 2 s
    from start to the first picture). The worker needs only ``bot.chart_picture``, so its
    parent's main module is nameless for that moment (the submit, on the event loop)."""
    main = sys.modules["__main__"]
    spec, path = getattr(main, "__spec__", None), main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__spec__ = spec
        if path is not None:
            main.__file__ = path


DRAWER = ChartDrawer()  # the bot's one worker: ``bot.app`` stops it with the bot


async def with_chart(
    rendered: RenderedReply, chart: Chart, text: Callable[[str], str]
) -> RenderedReply:
    """The reply with its picture (drawn in the worker), the caption within Telegram's limit.
    ``text`` renders a text key in the reader's language (the legend)."""
    labels = {name: text(key) for name, key in LABELS.items()}
    caption = rendered.text
    if len(caption) > CAPTION_MAX:
        caption = caption[: CAPTION_MAX - 1] + "…"
    try:
        picture = await DRAWER.draw(chart, labels)
    except Exception:  # a card without its picture beats no card at all
        log.exception("chart not drawn")
        return replace(rendered, text=caption)
    return replace(rendered, text=caption, picture=picture)

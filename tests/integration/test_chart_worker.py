"""The card pictures' worker process (``bot.chart``): it draws in a process of its own, and a
worker that dies or hangs costs one picture, never the bot or the next card."""

from __future__ import annotations

import os
import signal
import struct
import sys
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime, timedelta

import pytest

from bot.chart import ChartDrawer
from dialogs.card_chart import LABELS, Chart

END = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHART = Chart(
    start=END - timedelta(days=91),
    end=END,
    grades=((END - timedelta(days=14), 7), (END, 3)),
    missed=(END - timedelta(days=7),),
    alerts=(END - timedelta(days=1),),
    low_grade=4,
)
LEGEND = dict.fromkeys(LABELS, "x")


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


async def test_the_picture_is_drawn_in_another_process_and_stopping_ends_it() -> None:
    drawer = ChartDrawer()
    try:
        assert png_size(await drawer.draw(CHART, LEGEND)) == (800, 500)
        pid = await drawer.worker_pid()
        assert pid != os.getpid()
        assert "matplotlib" not in sys.modules
    finally:
        await drawer.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped


async def test_a_worker_that_died_costs_one_picture() -> None:
    drawer = ChartDrawer()
    try:
        os.kill(await drawer.worker_pid(), signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            await drawer.draw(CHART, LEGEND)
        assert png_size(await drawer.draw(CHART, LEGEND)) == (800, 500)  # a new worker
    finally:
        await drawer.stop()


async def test_a_picture_that_takes_too_long_is_given_up_and_its_worker_ended() -> None:
    drawer = ChartDrawer(timeout=0.01)  # a cold worker is not even started by then
    try:
        first = await drawer.worker_pid()
        with pytest.raises(TimeoutError):
            await drawer.draw(CHART, LEGEND)
        drawer.timeout = 30
        assert await drawer.worker_pid() != first
        assert png_size(await drawer.draw(CHART, LEGEND)) == (800, 500)
    finally:
        await drawer.stop()

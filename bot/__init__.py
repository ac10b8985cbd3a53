"""The Telegram shell around the dialogs: bootstrap, handlers, rendering, delivery, runners, CLI."""

import os
import sys

# python-telegram-bot 22 moves durations (retry_after, timeouts) to timedelta; opt in now so
# the code is written for the future type and no deprecation warning fires at run time.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# httpx (which python-telegram-bot imports, though the bot talks over aiohttp: bot/transport.py)
# loads its own command-line tool whenever click, rich and pygments are installed, and typer
# installs them: 4 MiB for the life of the process for a tool the bot never runs. A module set
# to None cannot be imported, so httpx takes its fallback (a `main` that explains itself).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

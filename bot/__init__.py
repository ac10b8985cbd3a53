"""The Telegram shell around the dialogs: bootstrap, handlers, rendering, delivery, runners, CLI."""

import os

# python-telegram-bot 22 moves durations (retry_after, timeouts) to timedelta; opt in now so
# the code is written for the future type and no deprecation warning fires at run time.
os.environ.setdefault("PTB_TIMEDELTA", "1")

"""The offline demo: the real bot against the built-in Telegram sandbox, as a transcript.

An organisation invites a coach, the coach invites a client, the client joins (consent,
read-aloud choice) and sees the main menu; the coach scales the check-in rhythm, the client
answers a check-in and the coach hears what matters; the client sends a voice note, the coach
replies, the client has a text read aloud; then the client presses the noodknop and
the coach picks it up; a stranger is turned away kindly. Both sides of
every conversation are printed, with the buttons each person saw, then a summary line.
"""

from __future__ import annotations

import logging
import tempfile
import textwrap
from pathlib import Path
from typing import TextIO

from pydantic import SecretStr
from telegram_sandbox import SentMessage, SimUser, TelegramSandbox

from bot import admin
from bot.clock import SystemClock
from bot.runner import polling
from bot.settings import Settings
from bot.texts import load_texts
from storage.database import Database
from storage.migrate import upgrade

__all__ = ["Transcript", "run_demo"]

# What coach Anna types in the demo: a person's words, relayed as they are (not a bot text).
COACH_REPLY = "Ik bel je morgen om 10 uur over die brief."


class Transcript:
    """Prints who said what to whom, and checks each expected answer arrived."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.messages = 0
        self.problems: list[str] = []

    def note(self, line: str) -> None:
        self.out.write(f"\n# {line}\n")

    def said(self, person: SimUser, what: str) -> None:
        self.out.write(f"\n{person.first_name} → bot: {what}\n")

    def show(self, person: SimUser, message: SentMessage) -> None:
        self.messages += 1
        body = message.text or ""
        kind = "" if message.kind == "text" else f"[{message.kind}] "
        lines = textwrap.indent(kind + body, "      ").lstrip()
        self.out.write(f"  bot → {person.first_name}: {lines}\n")
        for row in message.buttons:
            self.out.write("      " + "  ".join(f"[ {label} ]" for label in row) + "\n")
        if message.keyboard:
            labels = " | ".join(label for row in message.keyboard for label in row)
            self.out.write(f"      (menu at the bottom: {labels})\n")

    async def expect(self, person: SimUser, count: int) -> list[SentMessage]:
        received: list[SentMessage] = []
        for _ in range(count):
            try:
                message = await person.next_message(timeout=10)
            except (TimeoutError, AssertionError):
                self.problems.append(f"{person.first_name} got {len(received)} of {count} answers")
                break
            self.show(person, message)
            received.append(message)
        return received


def _short(link: str) -> str:
    return link[: link.index("start=") + 12] + "…" if "start=" in link else link


async def run_demo(out: TextIO) -> bool:
    logging.getLogger("telegram").setLevel(logging.WARNING)
    logging.getLogger("bot").setLevel(logging.WARNING)
    transcript = Transcript(out)
    with tempfile.TemporaryDirectory(prefix="waakvlam-demo-") as data_dir:
        async with TelegramSandbox(bot_username="waakvlam_demo_bot") as sandbox:
            settings = Settings(
                telegram_bot_token=SecretStr(sandbox.bot_token),
                telegram_api_url=sandbox.api_root,
                data_dir=Path(data_dir),
                bot_username=sandbox.bot_username,
            )
            database = Database(settings.resolved_database_url)
            upgrade(database.engine)
            from bot.app import build_application

            application = build_application(settings, clock=SystemClock(), database=database)
            async with polling(application):
                await _walk_through(transcript, sandbox, settings, database)
            database.dispose()
    ok = not transcript.problems
    summary = (
        f"Demo finished: 1 coach and 1 client joined, 1 check-in answered with 3 signals, "
        f"1 voice note relayed and answered, 1 text read aloud, 1 noodknop alert picked up, "
        f"1 stranger turned away, "
        f"{transcript.messages} bot messages, "
        + ("all answers as expected." if ok else "problems: " + "; ".join(transcript.problems))
    )
    out.write(f"\n{summary}\n")
    return ok


async def _walk_through(
    transcript: Transcript, sandbox: TelegramSandbox, settings: Settings, database: Database
) -> None:
    transcript.note('The organisation runs: waakvlam coach invite --name "Anna"')
    issued = admin.invite_coach(
        database, settings, name="Anna", bot_username=sandbox.bot_username, now=SystemClock().now()
    )
    transcript.out.write(f"  link for Anna: {_short(issued.link)}\n")

    anna = sandbox.user(first_name="Anna")
    transcript.note("Anna opens her link in Telegram.")
    transcript.said(anna, "/start " + _short(issued.link).split("start=")[1])
    await anna.open_deep_link(issued.link.split("start=")[1])
    await transcript.expect(anna, 1)

    transcript.note("Anna invites her client Sam.")
    transcript.said(anna, "/nieuw Sam")
    await anna.send_text("/nieuw Sam")
    invite_messages = await transcript.expect(anna, 2)
    link = next((w for m in invite_messages for w in (m.text or "").split() if "start=" in w), "")
    if not link:
        transcript.problems.append("no client link in Anna's invite")
        return

    sam = sandbox.user(first_name="Sam")
    transcript.note("Sam scans the QR code and opens the link.")
    transcript.said(sam, "/start " + _short(link).split("start=")[1])
    await sam.open_deep_link(link.split("start=")[1])
    await transcript.expect(sam, 2)

    transcript.said(sam, "(presses) Ja, dat is goed")
    await sam.press("Ja, dat is goed")
    await transcript.expect(sam, 1)

    transcript.said(sam, "(presses) Nee, alleen tekst")
    await sam.press("Nee, alleen tekst")
    await transcript.expect(sam, 3)
    await transcript.expect(anna, 1)
    if sam.current_keyboard != [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]]:
        transcript.problems.append("Sam does not see the three menu buttons")

    transcript.note("Anna looks at Sam's check-in rhythm and scales it to every 2 weeks.")
    transcript.said(anna, "/ritme Sam")
    await anna.send_text("/ritme Sam")
    await transcript.expect(anna, 1)
    transcript.said(anna, "(presses) Elke 2 weken")
    await anna.press("Elke 2 weken")
    await transcript.expect(anna, 1)
    await transcript.expect(sam, 1)

    transcript.note("Sam wants to tell how things are going and answers the check-in.")
    transcript.said(sam, "(taps) 📋 Hoe gaat het?")
    await sam.tap_keyboard("📋 Hoe gaat het?")
    await transcript.expect(sam, 1)
    for answer in ("3", "Ja", "Brieven en geld", "Ja"):
        transcript.said(sam, f"(presses) {answer}")
        await sam.press(answer)
        await transcript.expect(sam, 1)
    transcript.note("Anna hears what matters, each once: a low grade, help wanted, please call.")
    signals = await transcript.expect(anna, 3)
    if len(signals) != 3 or not all("Sam" in (m.text or "") for m in signals):
        transcript.problems.append("Anna did not get the check-in's signals")

    transcript.note("Sam would rather speak than type, and sends Anna a voice note.")
    transcript.said(sam, "(voice note, 6 s)")
    await sam.send_voice(duration=6)
    await transcript.expect(sam, 1)
    transcript.said(sam, "(presses) Ja, stuur het")
    await sam.press("Ja, stuur het")
    await transcript.expect(sam, 1)
    relayed = await transcript.expect(anna, 2)
    copy = relayed[-1] if len(relayed) == 2 else None
    if copy is None or copy.kind != "voice":
        transcript.problems.append("Anna did not get Sam's voice note")
        return
    transcript.note("Anna answers with Telegram's reply on the voice note.")
    transcript.said(anna, f"(reply) {COACH_REPLY}")
    await anna.send_text(COACH_REPLY, reply_to=copy)
    await transcript.expect(anna, 1)
    received = await transcript.expect(sam, 3)
    if len(received) < 3 or received[2].text != COACH_REPLY:
        transcript.problems.append("Sam did not get Anna's reply")
    transcript.note("Sam cannot read it well and taps 🔊 Voorlezen under Anna's message.")
    transcript.said(sam, "(presses) 🔊 Voorlezen")
    await sam.press("🔊 Voorlezen", received[-1] if received else None)
    heard = await transcript.expect(sam, 1)
    if not heard or heard[0].kind != "voice":
        transcript.problems.append("Sam did not hear the text read aloud")

    transcript.note("Later Sam needs Anna right now and presses the noodknop.")
    transcript.said(sam, "(taps) 🔴 Noodknop")
    await sam.tap_keyboard("🔴 Noodknop")
    await transcript.expect(sam, 2)
    await transcript.expect(anna, 1)

    transcript.said(sam, "(presses) ✉️ Brief of geld")
    await sam.press("✉️ Brief of geld")
    await transcript.expect(sam, 1)
    await transcript.expect(anna, 1)

    transcript.note("Anna sees the alert and takes it with one tap.")
    transcript.said(anna, "(presses) ✅ Ik bel nu")
    await anna.press("✅ Ik bel nu")
    seen = await transcript.expect(sam, 1)
    await transcript.expect(anna, 1)
    promised = load_texts("nl").render("nl", "noodknop.seen", {"helper": "Anna"})
    if not seen or seen[0].text != promised:
        transcript.problems.append("Sam was not told that Anna saw the alert")

    transcript.said(anna, "(presses) 📞 Gesproken")
    await anna.press("📞 Gesproken")

    stranger = sandbox.user(first_name="Onbekend")
    transcript.note("Someone without an invite writes to the bot.")
    transcript.said(stranger, "hallo?")
    await stranger.send_text("hallo?")
    await transcript.expect(stranger, 1)

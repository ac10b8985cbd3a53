"""The offline demo: the real bot against the built-in Telegram sandbox, as a transcript.

An organisation invites two coaches (Bram is Anna's backup), Anna invites a client, the client
joins (consent, read-aloud choice, a phone number shared with one tap) and sees the main menu;
the coach scales the check-in rhythm, the client answers a check-in and the coach hears what
matters; the client sends a voice note, the coach replies, the client has a text read aloud;
the client types "hulp"; then the client presses the noodknop, Anna passes it on, the client
hears that another coach is asked, Bram picks it up; Anna ends the support and the client gets
the goodbye; a stranger is turned away kindly. Both sides of
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

    async def drain(self, person: SimUser, quiet: float = 0.8) -> list[SentMessage]:
        """Every answer the person gets now: the first within 10 s, the rest until the chat
        has been quiet for ``quiet`` seconds (how many messages a step brings may change;
        what they say is checked by the caller)."""
        received: list[SentMessage] = []
        while True:
            try:
                message = await person.next_message(timeout=quiet if received else 10)
            except (TimeoutError, AssertionError):
                break
            self.show(person, message)
            received.append(message)
        if not received:
            self.problems.append(f"{person.first_name} got no answer")
        return received

    def check(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)


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
        "Demo finished: 2 coaches and 1 client joined (phone number shared), 1 check-in "
        "answered with its signals in one message, 1 voice note relayed and answered, 1 text "
        "read aloud, 'hulp' understood, 1 noodknop alert passed on to a backup and picked up, "
        "1 support ended with a goodbye, 1 stranger turned away, "
        f"{transcript.messages} bot messages, "
        + ("all answers as expected." if ok else "problems: " + "; ".join(transcript.problems))
    )
    out.write(f"\n{summary}\n")
    return ok


async def _walk_through(
    transcript: Transcript, sandbox: TelegramSandbox, settings: Settings, database: Database
) -> None:
    anna = await _coach_joins(transcript, sandbox, settings, database, "Anna")
    bram = await _coach_joins(transcript, sandbox, settings, database, "Bram")
    transcript.note("The organisation makes Bram Anna's backup: waakvlam coach backup 1 --backup 2")
    admin.add_backup(database, coach_id=1, backup_coach_id=2, now=SystemClock().now())

    transcript.note("Anna invites her client Sam.")
    transcript.said(anna, "/nieuw Sam")
    await anna.send_text("/nieuw Sam")
    invite_messages = await transcript.drain(anna)
    link = next((w for m in invite_messages for w in (m.text or "").split() if "start=" in w), "")
    if not link:
        transcript.problems.append("no client link in Anna's invite")
        return

    sam = sandbox.user(first_name="Sam")
    transcript.note("Sam scans the QR code and opens the link.")
    transcript.said(sam, "/start " + _short(link).split("start=")[1])
    await sam.open_deep_link(link.split("start=")[1])
    await transcript.drain(sam)
    await transcript.drain(anna)  # which Telegram account opened Sam's link

    transcript.said(sam, "(presses) Ja, dat is goed")
    await sam.press("Ja, dat is goed")
    await transcript.drain(sam)
    transcript.said(sam, "(presses) Nee, alleen tekst")
    await sam.press("Nee, alleen tekst")
    await transcript.drain(sam)
    transcript.note("Sam shares a phone number with one tap, so a coach can call in an alert.")
    transcript.said(sam, "(taps) 📱 Deel mijn nummer")
    await sam.tap_keyboard("📱 Deel mijn nummer")
    await transcript.drain(sam)
    told = await transcript.drain(anna)
    transcript.check(
        any("deelde een telefoonnummer" in (m.text or "") for m in told),
        "Anna was not told Sam's number",
    )
    transcript.check(
        sam.current_keyboard == [["💬 Bericht aan coach"], ["📋 Hoe gaat het?"], ["🔴 Noodknop"]],
        "Sam does not see the three menu buttons",
    )

    transcript.note("Anna looks at Sam's check-in rhythm and scales it to every 2 weeks.")
    transcript.said(anna, "/ritme Sam")
    await anna.send_text("/ritme Sam")
    await transcript.drain(anna)
    transcript.said(anna, "(presses) Elke 2 weken")
    await anna.press("Elke 2 weken")
    await transcript.drain(anna)
    await transcript.drain(sam)

    transcript.note("Sam wants to tell how things are going and answers the check-in.")
    transcript.said(sam, "(taps) 📋 Hoe gaat het?")
    await sam.tap_keyboard("📋 Hoe gaat het?")
    await transcript.drain(sam)
    for answer in ("3", "Ja", "Brieven en geld", "Ja"):
        transcript.said(sam, f"(presses) {answer}")
        await sam.press(answer)
        await transcript.drain(sam)
    transcript.note(
        "Anna hears what matters in one message: a low grade, help wanted, please call."
    )
    signals = await transcript.drain(anna)
    transcript.check(
        len(signals) == 1 and "Sam" in (signals[0].text or ""),
        "Anna did not get the check-in's signals in one message",
    )

    transcript.note("Sam would rather speak than type, and sends Anna a voice note.")
    transcript.said(sam, "(voice note, 6 s)")
    await sam.send_voice(duration=6)
    await transcript.drain(sam)
    transcript.said(sam, "(presses) Ja, stuur het")
    await sam.press("Ja, stuur het")
    await transcript.drain(sam)
    relayed = await transcript.drain(anna)
    copy = next((m for m in relayed if m.kind == "voice"), None)
    if copy is None:
        transcript.problems.append("Anna did not get Sam's voice note")
        return
    transcript.note("Anna answers with Telegram's reply on the voice note.")
    transcript.said(anna, f"(reply) {COACH_REPLY}")
    await anna.send_text(COACH_REPLY, reply_to=copy)
    await transcript.drain(anna)
    received = await transcript.drain(sam)  # "seen", then the reply: one message
    reply = next((m for m in received if (m.text or "").endswith(f"\n\n{COACH_REPLY}")), None)
    transcript.check(reply is not None, "Sam did not get Anna's reply")
    transcript.note("Sam cannot read it well and taps 🔊 Voorlezen under Anna's message.")
    transcript.said(sam, "(presses) 🔊 Voorlezen")
    await sam.press("🔊 Voorlezen", reply)
    heard = await transcript.drain(sam)
    transcript.check(any(m.kind == "voice" for m in heard), "Sam did not hear the text read aloud")

    transcript.note("Sam feels bad and types one word.")
    transcript.said(sam, "hulp")
    await sam.send_text("hulp")
    answered = await transcript.drain(sam)
    transcript.check(
        any("🔴 Noodknop" in label for m in answered for row in m.buttons for label in row),
        "Sam's 'hulp' did not get the noodknop offered",
    )

    transcript.note("Sam needs a coach right now and presses the noodknop.")
    transcript.said(sam, "(taps) 🔴 Noodknop")
    await sam.tap_keyboard("🔴 Noodknop")
    await transcript.drain(sam)
    await transcript.drain(anna)
    transcript.said(sam, "(presses) ✉️ Brief of geld")
    await sam.press("✉️ Brief of geld")
    await transcript.drain(sam)
    await transcript.drain(anna)

    transcript.note("Anna is with another client and passes the alert on: Bram is asked.")
    transcript.said(anna, "(presses) ↪️ Ik kan niet, geef door")
    await anna.press("↪️ Ik kan niet, geef door")
    await transcript.drain(anna)
    update = await transcript.drain(sam)
    transcript.check(
        any("Bram" in (m.text or "") or "andere coach" in (m.text or "") for m in update),
        "Sam was not told another coach is asked",
    )
    await transcript.drain(bram)
    transcript.said(bram, "(presses) ✅ Ik bel nu")
    await bram.press("✅ Ik bel nu")
    seen = await transcript.drain(sam)
    await transcript.drain(bram)
    await transcript.drain(anna)
    promised = load_texts("nl").render("nl", "noodknop.seen", {"helper": "Bram"})
    transcript.check(
        any((m.text or "").startswith(promised) for m in seen),
        "Sam was not told that Bram saw the alert",
    )
    transcript.said(bram, "(presses) 📞 Gesproken")
    await bram.press("📞 Gesproken")
    await transcript.drain(anna)  # Bram sees the buttons close; Anna is told

    transcript.note("Months later Sam is doing well: Anna ends the support.")
    transcript.said(anna, "/afsluiten Sam")
    await anna.send_text("/afsluiten Sam")
    await transcript.drain(anna)
    transcript.said(anna, "(presses) Doel bereikt")
    await anna.press("Doel bereikt")
    await transcript.drain(anna)
    goodbye = await transcript.drain(sam)
    transcript.check(
        any("De deur blijft open" in (m.text or "") for m in goodbye),
        "Sam did not get the goodbye",
    )

    stranger = sandbox.user(first_name="Onbekend")
    transcript.note("Someone without an invite writes to the bot.")
    transcript.said(stranger, "hallo?")
    await stranger.send_text("hallo?")
    await transcript.drain(stranger)


async def _coach_joins(
    transcript: Transcript,
    sandbox: TelegramSandbox,
    settings: Settings,
    database: Database,
    name: str,
) -> SimUser:
    transcript.note(f'The organisation runs: waakvlam coach invite --name "{name}"')
    issued = admin.invite_coach(
        database, settings, name=name, bot_username=sandbox.bot_username, now=SystemClock().now()
    )
    transcript.out.write(f"  link for {name}: {_short(issued.link)}\n")
    coach = sandbox.user(first_name=name)
    transcript.note(f"{name} opens the link in Telegram.")
    transcript.said(coach, "/start " + _short(issued.link).split("start=")[1])
    await coach.open_deep_link(issued.link.split("start=")[1])
    await transcript.drain(coach)
    return coach

"""Dialogs import no Telegram, no database and never read the wall clock."""

from __future__ import annotations

import ast
from pathlib import Path

DIALOGS = Path(__file__).parents[2] / "dialogs"
FORBIDDEN_MODULES = ("telegram", "sqlalchemy", "sqlmodel", "storage", "bot", "httpx", "aiohttp")
FORBIDDEN_CALLS = ("now", "utcnow", "today")
FORBIDDEN_MODULE_CALLS = {("time", "time"), ("time", "monotonic"), ("time", "perf_counter")}


def test_dialogs_import_nothing_from_the_shell() -> None:
    offending = []
    for path in DIALOGS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offending += [(path.name, n) for n in names if n.split(".")[0] in FORBIDDEN_MODULES]
    assert offending == []


def test_dialogs_never_read_the_clock() -> None:
    calls = []
    for path in DIALOGS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else ""
            if (
                node.func.attr in FORBIDDEN_CALLS
                or (owner, node.func.attr) in FORBIDDEN_MODULE_CALLS
            ):
                calls.append((path.name, node.func.attr))
    assert calls == []

"""How the project is laid out: the Telegram sandbox is a tool for the demo, the tests and the
benchmarks (the bot's own packages never import it, except the demo and the CLI commands that
start it, lazily), and a module a newcomer opens says why when it is long."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAZY = {"bot/cli.py"}  # imports it inside the commands that need it
DEMO = {"bot/demo.py"}  # the demo is the sandbox's user by definition, imported lazily


def _imports_sandbox(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "telegram_sandbox" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "telegram_sandbox"
    return False


def test_the_bot_never_imports_the_sandbox_at_module_level() -> None:
    offenders = []
    for package in ("bot", "dialogs", "storage", "content"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in DEMO:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            nodes = tree.body if name in LAZY else list(ast.walk(tree))
            offenders += [name for node in nodes if _imports_sandbox(node)]
    assert offenders == []


def test_the_sandbox_is_no_runtime_dependency() -> None:
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    runtime = project.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "sandbox" not in runtime and "aiohttp" not in runtime
    assert 'sandbox = ["waakvlam-sandbox"]' in project


MODULE_LINES = 420  # "about 400": a little slack before a module must say why it is longer
REASON = "Longer than our ~400 lines on purpose"


def test_a_long_module_says_why_at_its_top() -> None:
    """A newcomer finds parts by module name; a module past ~400 lines says why it is one."""
    unexplained = []
    for package in ("bot", "dialogs", "storage", "sandbox/telegram_sandbox"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            docstring = ast.get_docstring(ast.parse(source)) or ""
            if len(source.splitlines()) > MODULE_LINES and REASON not in docstring:
                unexplained.append(path.relative_to(ROOT).as_posix())
    assert unexplained == []

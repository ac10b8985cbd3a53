"""A coach names a client in a command ("/ritme Sam de Vries elke week"): which client is meant.

The shell passes only the coach's own active clients, so a coach can never reach someone
else's client by typing a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.words import normalise

__all__ = ["ClientMatch", "ClientRef", "find_client"]


@dataclass(frozen=True)
class ClientRef:
    id: int
    name: str


@dataclass(frozen=True)
class ClientMatch:
    """The client meant (or None), what the coach typed after the name, and, when the name
    was unknown or fits several clients, the candidates to show."""

    client: ClientRef | None
    rest: str = ""
    candidates: tuple[ClientRef, ...] = ()


def _fold(text: str) -> str:
    return normalise(text, keep_punctuation=True)


def find_client(args: str, clients: Sequence[ClientRef]) -> ClientMatch:
    """The client whose name starts ``args`` (longest name wins; case and accents ignored)."""
    words = args.split()
    folded = [_fold(word) for word in words]
    best: list[ClientRef] = []
    best_length = 0
    for client in clients:
        name = _fold(client.name).split()
        if not name or folded[: len(name)] != name:
            continue
        if len(name) > best_length:
            best, best_length = [client], len(name)
        elif len(name) == best_length:
            best.append(client)
    if len(best) == 1:
        return ClientMatch(best[0], " ".join(words[best_length:]))
    return ClientMatch(None, " ".join(words[best_length:]), tuple(best or clients))

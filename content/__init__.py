"""Every text a person reads or hears, one folder per language under ``easy-language/``.

Files group texts by subject and audience. Every file is read by clients (or strangers) and
held to the easy-language rules, except the professional ones: ``coach.yaml`` (and any
``coach-*.yaml``) for coaches, ``format.yaml`` for date words. Keys are dotted paths inside a
file and unique across files.
"""

from pathlib import Path

CONTENT_DIR = Path(__file__).parent / "easy-language"
PROFESSIONAL_FILES = ("coach.yaml", "format.yaml")


def is_client_facing(file_name: str) -> bool:
    return file_name not in PROFESSIONAL_FILES and not file_name.startswith("coach-")


__all__ = ["CONTENT_DIR", "PROFESSIONAL_FILES", "is_client_facing"]

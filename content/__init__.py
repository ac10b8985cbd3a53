"""Every text a person reads or hears, one folder per language under ``easy-language/``.

Files group texts by audience: ``client.yaml`` holds everything a client (or a stranger) may
read and is held to the easy-language rules; ``coach.yaml`` is for professionals;
``format.yaml`` holds date words. Keys are dotted paths inside a file and unique across files.
"""

from pathlib import Path

CONTENT_DIR = Path(__file__).parent / "easy-language"
CLIENT_FACING_FILES = ("client.yaml",)

__all__ = ["CLIENT_FACING_FILES", "CONTENT_DIR"]

"""The webhook's secrets: the token Telegram must send in every request, and the path it posts to.

Webhook mode never runs without a secret token. ``WAAKVLAM_WEBHOOK_SECRET`` is used when set;
otherwise a strong one is generated once and kept in ``<data dir>/webhook-secret`` (mode 0600),
so it stays the same across restarts. The URL path is an HMAC of the secret: unguessable, stable,
and telling nothing about the secret to whoever sees it (a proxy's access log, for instance).
Neither value is ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.settings import Settings

__all__ = ["MIN_SECRET_LENGTH", "SECRET_FILE", "WebhookEndpoint", "webhook_endpoint"]

log = logging.getLogger(__name__)

SECRET_FILE = "webhook-secret"
MIN_SECRET_LENGTH = 32
_GENERATED_BYTES = 48
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_PATH_LABEL = b"waakvlam webhook path v1"


@dataclass(frozen=True)
class WebhookEndpoint:
    """Where the bot listens and what Telegram is told: local path, public URL, secret token."""

    path: str = field(repr=False)
    url: str = field(repr=False)
    secret: str = field(repr=False)


def webhook_endpoint(settings: Settings) -> WebhookEndpoint:
    """The endpoint for ``settings``: the configured secret or the kept (or new) one."""
    if not settings.webhook_url:
        raise ValueError("webhook mode needs WAAKVLAM_WEBHOOK_URL (the public HTTPS address)")
    public = urlsplit(settings.webhook_url)
    if not public.scheme or not public.netloc or public.query or public.fragment:
        raise ValueError("WAAKVLAM_WEBHOOK_URL must be a plain address like https://host/prefix")
    secret = _configured(settings) or _kept(settings.data_dir / SECRET_FILE)
    path = f"{public.path.rstrip('/')}/{_path_segment(secret)}"
    url = urlunsplit((public.scheme, public.netloc, path, "", ""))
    return WebhookEndpoint(path=path, url=url, secret=secret)


def _path_segment(secret: str) -> str:
    return hmac.new(secret.encode(), _PATH_LABEL, hashlib.sha256).hexdigest()


def _configured(settings: Settings) -> str | None:
    if settings.webhook_secret is None:
        return None
    secret = settings.webhook_secret.get_secret_value().strip()
    if not secret:
        return None
    _check(secret, "WAAKVLAM_WEBHOOK_SECRET")
    return secret


def _check(secret: str, source: str) -> None:
    if not _SECRET_RE.match(secret):
        raise ValueError(f"{source} may only hold A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"{source} is too short: use at least {MIN_SECRET_LENGTH} characters")


def _kept(file: Path) -> str:
    if not file.exists():
        _create(file)
    if stat.S_IMODE(file.stat().st_mode) & 0o077:
        log.warning("%s was readable by others; it is now private to this user (0600)", file)
        file.chmod(0o600)
    secret = file.read_text(encoding="ascii").strip()
    _check(secret, str(file))
    return secret


def _create(file: Path) -> None:
    """Write a new secret to ``file`` at once and whole; a secret already there wins.

    The secret is written to a draft and hard-linked into place, so nobody ever reads half a
    file. Where hard links are not allowed (FAT, some FUSE and network shares), the file is
    created exclusively instead, private from the start: a second start at that very moment
    could then read it half written and stop with an error, but never overwrite it."""
    file.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(_GENERATED_BYTES) + "\n"
    handle, draft = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.")
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secret)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(draft, file)
        except FileExistsError:
            return
        except OSError as error:
            log.info("no hard links here (%s); creating %s directly", type(error).__name__, file)
            if not _create_exclusively(file, secret):
                return
        log.info("generated a new webhook secret in %s", file)
    finally:
        os.unlink(draft)


def _create_exclusively(file: Path, secret: str) -> bool:
    """Create ``file`` with ``secret``, mode 0600; False when it is already there."""
    try:
        handle = os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w", encoding="ascii") as out:
        os.fchmod(out.fileno(), 0o600)  # whatever the umask took away or left
        out.write(secret)
        out.flush()
        os.fsync(out.fileno())
    return True

"""The webhook's secret token and path: made when missing, kept privately, checked when given."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.webhook_secret import SECRET_FILE, webhook_endpoint

URL = "https://bot.example.org"


def _settings(data_dir: Path, url: str | None = URL, secret: str | None = None) -> Settings:
    return Settings(data_dir=data_dir, webhook_url=url, webhook_secret=secret)


def test_a_missing_secret_is_generated_once_kept_privately_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = webhook_endpoint(_settings(data_dir))
    kept = data_dir / SECRET_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text().strip() == first.secret
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", first.secret)
    assert webhook_endpoint(_settings(data_dir)) == first
    assert [p.name for p in data_dir.iterdir()] == [SECRET_FILE]


def test_the_path_is_unguessable_stable_and_does_not_show_the_secret(tmp_path: Path) -> None:
    endpoint = webhook_endpoint(_settings(tmp_path))
    assert re.fullmatch(r"/[0-9a-f]{64}", endpoint.path)
    assert endpoint.url == URL + endpoint.path
    assert endpoint.secret not in endpoint.url
    other = webhook_endpoint(_settings(tmp_path / "elsewhere"))
    assert other.path != endpoint.path and other.secret != endpoint.secret


def test_the_path_goes_below_the_path_of_the_public_url(tmp_path: Path) -> None:
    endpoint = webhook_endpoint(_settings(tmp_path, url="https://example.org/waakvlam/"))
    assert re.fullmatch(r"/waakvlam/[0-9a-f]{64}", endpoint.path)
    assert endpoint.url == "https://example.org" + endpoint.path


def test_a_configured_secret_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    configured = "A" * 16 + "_-" + "z9" * 8
    endpoint = webhook_endpoint(_settings(tmp_path, secret=configured))
    assert endpoint.secret == configured
    assert list(tmp_path.iterdir()) == []


def test_an_empty_configured_secret_counts_as_none(tmp_path: Path) -> None:
    endpoint = webhook_endpoint(_settings(tmp_path, secret=""))
    assert endpoint.secret == (tmp_path / SECRET_FILE).read_text().strip()


@pytest.mark.parametrize(
    ("secret", "why"),
    [("short-secret", "too short"), ("x" * 40 + " space", "may only hold"), ("é" * 40, "may only")],
)
def test_a_weak_or_invalid_configured_secret_is_refused(
    tmp_path: Path, secret: str, why: str
) -> None:
    with pytest.raises(ValueError, match=why) as raised:
        webhook_endpoint(_settings(tmp_path, secret=secret))
    assert secret not in str(raised.value)


def test_a_kept_secret_readable_by_others_is_made_private(tmp_path: Path) -> None:
    secret = webhook_endpoint(_settings(tmp_path)).secret
    kept = tmp_path / SECRET_FILE
    kept.chmod(0o644)
    assert webhook_endpoint(_settings(tmp_path)).secret == secret
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_damaged_kept_secret_stops_the_start(tmp_path: Path) -> None:
    kept = tmp_path / SECRET_FILE
    kept.write_text("not a secret!\n")
    kept.chmod(0o600)
    with pytest.raises(ValueError, match="may only hold"):
        webhook_endpoint(_settings(tmp_path))


@pytest.mark.parametrize("url", [None, "", "bot.example.org", "https://bot.example.org/?a=b"])
def test_webhook_mode_needs_a_plain_public_url(tmp_path: Path, url: str | None) -> None:
    with pytest.raises(ValueError, match="WAAKVLAM_WEBHOOK_URL"):
        webhook_endpoint(_settings(tmp_path, url=url))


def test_the_secret_never_shows_in_the_endpoints_repr(tmp_path: Path) -> None:
    endpoint = webhook_endpoint(_settings(tmp_path))
    assert endpoint.secret not in repr(endpoint)
    assert endpoint.path not in repr(endpoint)


def _no_hard_links(source: object, target: object, **kwargs: object) -> None:
    raise OSError(errno.EPERM, "Operation not permitted")  # what FAT, some FUSE and SMB say


def test_without_hard_links_the_secret_is_still_written_privately(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "link", _no_hard_links)
    data_dir = tmp_path / "data"
    first = webhook_endpoint(_settings(data_dir))
    kept = data_dir / SECRET_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text().strip() == first.secret
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", first.secret)
    assert [p.name for p in data_dir.iterdir()] == [SECRET_FILE], "no draft left behind"
    assert webhook_endpoint(_settings(data_dir)) == first


def test_without_hard_links_a_secret_already_there_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two starts at once: the one that comes second must take the first one's secret."""
    monkeypatch.setattr(os, "link", _no_hard_links)
    kept = tmp_path / SECRET_FILE
    real_exists = Path.exists
    there_first = "Z" * 40

    def lost_the_race(path: Path) -> bool:
        if path == kept and not real_exists(path):
            fd = os.open(kept, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.write(fd, (there_first + "\n").encode())
            os.close(fd)
            return False  # it looked missing a moment ago
        return real_exists(path)

    monkeypatch.setattr(Path, "exists", lost_the_race)
    assert webhook_endpoint(_settings(tmp_path)).secret == there_first
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]

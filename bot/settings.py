"""One validated configuration, from the environment and an optional ``.env`` file."""

from __future__ import annotations

import hashlib
from datetime import time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.database import sqlite_url

__all__ = ["PUBLIC_TELEGRAM_API", "Settings"]

PUBLIC_TELEGRAM_API = "https://api.telegram.org"


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("TELEGRAM_BOT_TOKEN", "telegram_bot_token")
    )
    telegram_api_url: str = Field(
        default=PUBLIC_TELEGRAM_API, validation_alias=_env("TELEGRAM_API_URL", "telegram_api_url")
    )
    database_url: str | None = Field(
        default=None, validation_alias=_env("DATABASE_URL", "database_url")
    )
    data_dir: Path = Field(
        default=Path("data"), validation_alias=_env("WAAKVLAM_DATA_DIR", "data_dir")
    )
    timezone: str = Field(
        default="Europe/Amsterdam", validation_alias=_env("WAAKVLAM_TIMEZONE", "timezone")
    )
    default_language: str = Field(
        default="nl", validation_alias=_env("WAAKVLAM_LANGUAGE", "default_language")
    )
    organisation_name: str = Field(
        default="Waakvlam", validation_alias=_env("WAAKVLAM_ORGANISATION", "organisation_name")
    )
    invite_ttl_days: int = Field(
        default=14, ge=1, le=90, validation_alias=_env("WAAKVLAM_INVITE_DAYS", "invite_ttl_days")
    )
    bot_username: str | None = Field(
        default=None, validation_alias=_env("WAAKVLAM_BOT_USERNAME", "bot_username")
    )
    # The out-of-hours GP (huisartsenpost) for the client's emergency numbers. The old name
    # WAAKVLAM_DOCTOR_NUMBER still counts.
    huisartsenpost_number: str | None = Field(
        default=None,
        validation_alias=_env(
            "WAAKVLAM_HUISARTSENPOST_NUMBER", "WAAKVLAM_DOCTOR_NUMBER", "huisartsenpost_number"
        ),
    )
    alert_renotify_minutes: int = Field(
        default=5,
        ge=1,
        validation_alias=_env("WAAKVLAM_ALERT_RENOTIFY_MINUTES", "alert_renotify_minutes"),
    )
    alert_emergency_minutes: int = Field(
        default=15,
        ge=1,
        validation_alias=_env("WAAKVLAM_ALERT_EMERGENCY_MINUTES", "alert_emergency_minutes"),
    )
    alert_close_remind_hours: float = Field(
        default=4,
        gt=0,
        validation_alias=_env("WAAKVLAM_ALERT_CLOSE_REMIND_HOURS", "alert_close_remind_hours"),
    )
    alert_autoclose_hours: float = Field(
        default=24,
        gt=0,
        validation_alias=_env("WAAKVLAM_ALERT_AUTOCLOSE_HOURS", "alert_autoclose_hours"),
    )
    voice_engine: Literal["gtts", "espeak", "off"] = Field(
        default="gtts", validation_alias=_env("WAAKVLAM_VOICE_ENGINE", "voice_engine")
    )
    checkin_rhythm: Literal[
        "weekly", "every_2_weeks", "every_4_weeks", "every_6_weeks", "every_3_months"
    ] = Field(default="weekly", validation_alias=_env("WAAKVLAM_CHECKIN_RHYTHM", "checkin_rhythm"))
    checkin_time: str = Field(
        default="10:00",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        validation_alias=_env("WAAKVLAM_CHECKIN_TIME", "checkin_time"),
    )
    quiet_hours: str = Field(
        default="21:00-08:00",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$",
        validation_alias=_env("WAAKVLAM_QUIET_HOURS", "quiet_hours"),
    )
    checkin_remind_hours: float = Field(
        default=4,
        gt=0,
        validation_alias=_env("WAAKVLAM_CHECKIN_REMIND_HOURS", "checkin_remind_hours"),
    )
    checkin_low_grade: int = Field(
        default=4,
        ge=1,
        le=10,
        validation_alias=_env("WAAKVLAM_CHECKIN_LOW_GRADE", "checkin_low_grade"),
    )
    max_relay_mb: int = Field(
        default=20,
        ge=1,
        le=2000,
        validation_alias=_env("WAAKVLAM_MAX_RELAY_MB", "max_relay_mb"),
    )
    outbox_keep_days: int = Field(
        default=7,
        ge=1,
        le=365,
        validation_alias=_env("WAAKVLAM_OUTBOX_KEEP_DAYS", "outbox_keep_days"),
    )
    digest_weekday: int = Field(  # ISO weekday of the coaches' weekly digest; 0: none
        default=1,
        ge=0,
        le=7,
        validation_alias=_env("WAAKVLAM_DIGEST_WEEKDAY", "digest_weekday"),
    )
    digest_time: time = Field(
        default=time(8, 30), validation_alias=_env("WAAKVLAM_DIGEST_TIME", "digest_time")
    )
    # Retention (README, processing register): the coach's picture covers months and a
    # year-on-year look; a relay's metadata only routes replies and shows "seen"; an alert's
    # details serve a review or complaint about it, then only its times stay for reports.
    keep_checkin_days: int = Field(
        default=365,
        ge=30,
        le=3650,
        validation_alias=_env("WAAKVLAM_KEEP_CHECKIN_DAYS", "keep_checkin_days"),
    )
    keep_relay_days: int = Field(
        default=90,
        ge=7,
        le=3650,
        validation_alias=_env("WAAKVLAM_KEEP_RELAY_DAYS", "keep_relay_days"),
    )
    keep_alert_detail_days: int = Field(
        default=365,
        ge=30,
        le=3650,
        validation_alias=_env("WAAKVLAM_KEEP_ALERT_DETAIL_DAYS", "keep_alert_detail_days"),
    )
    # After a coach ended a client's support, the client's messages still reach that coach
    # this many days (with a header saying the support ended); then a kind answer instead.
    ended_grace_days: int = Field(
        default=30,
        ge=0,
        le=365,
        validation_alias=_env("WAAKVLAM_ENDED_GRACE_DAYS", "ended_grace_days"),
    )
    # A client whose support ended this many days ago (and who did not come back, nor press
    # the noodknop since) is erased by the daily housekeeping; 0: kept until erased by hand.
    # Two years: a return after a life event finds the history, and the organisation's yearly
    # report of how clients came in, moved on and left covers the year they left.
    ended_keep_days: int = Field(
        default=730,
        ge=0,
        le=3650,
        validation_alias=_env("WAAKVLAM_ENDED_KEEP_DAYS", "ended_keep_days"),
    )
    keep_contact_days: int = Field(
        default=365,
        ge=30,
        le=3650,
        validation_alias=_env("WAAKVLAM_KEEP_CONTACT_DAYS", "keep_contact_days"),
    )
    webhook_url: str | None = Field(
        default=None, validation_alias=_env("WAAKVLAM_WEBHOOK_URL", "webhook_url")
    )
    webhook_listen: str = Field(
        default="127.0.0.1", validation_alias=_env("WAAKVLAM_WEBHOOK_LISTEN", "webhook_listen")
    )
    webhook_port: int = Field(
        default=8443, validation_alias=_env("WAAKVLAM_WEBHOOK_PORT", "webhook_port")
    )
    webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("WAAKVLAM_WEBHOOK_SECRET", "webhook_secret")
    )

    @model_validator(mode="after")
    def _ended_kept_through_grace(self) -> Settings:
        """An ended client is never erased while their messages still reach their coach."""
        if 0 < self.ended_keep_days < max(self.ended_grace_days, 30):
            raise ValueError(
                "WAAKVLAM_ENDED_KEEP_DAYS must be 0 or at least 30 and at least "
                "WAAKVLAM_ENDED_GRACE_DAYS"
            )
        return self

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def voice_cache_dir(self) -> Path:
        """Where read-aloud clips are kept (``bot.voice.cache``)."""
        return self.data_dir / "voice-cache"

    @property
    def invite_ttl(self) -> timedelta:
        return timedelta(days=self.invite_ttl_days)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)

    @property
    def token(self) -> str:
        if self.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        return self.telegram_bot_token.get_secret_value()

    def button_key(self) -> bytes:
        """A secret for sealing button data, derived from the bot token (never stored): a
        button only the bot made, for this bot, passes; a new token retires old seals."""
        token = self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else ""
        return hashlib.sha256(b"waakvlam button seal\0" + token.encode()).digest()

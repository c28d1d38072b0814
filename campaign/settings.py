"""One settings class, one instance: every knob of the product, read from CAMPAIGN_* variables."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAMPAIGN_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for the SQLite database, the demo Maildir and generated files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; unset means a SQLite file in data_dir. "
        "PostgreSQL example: postgresql+psycopg://user@127.0.0.1:5432/campaigns",
    )
    holidays_file: Path | None = Field(
        default=None,
        description="YAML file of extra holidays and make-up working days (调休) "
        "overriding the chinesecalendar package.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of the web app as bureaus reach it; personal links are "
        "{public_url}/r/{token}.",
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server host.")
    smtp_port: int = Field(default=8025, description="SMTP server port.")
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        default="none", description="Transport security towards the SMTP server."
    )
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server wants one.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    mail_from: str = Field(
        default="zxzz-office@hbqts.example.org",
        description="Sender address of every message the campaign sends.",
    )
    smtp_connections: int = Field(
        default=4,
        ge=1,
        description="SMTP connections a delivery run sends over side by side (docs/mail.md).",
    )
    mail_rate_per_second: float = Field(
        default=50.0, description="Upper bound on messages sent per second (0 = unlimited)."
    )
    web_delivers_mail: bool = Field(
        default=True,
        description="The web app sends the outbox right after an answer, a 签收 or a review "
        "(receipts, alerts to the office) instead of leaving it for the next tick.",
    )
    secret_key: str = Field(
        default="change-me-in-production",
        description="Secret that derives and hashes link tokens and signs form tokens and "
        "coordinator sessions. Changing it ends every link and session.",
    )
    coordinator_password: str | None = Field(
        default=None, description="Password of the coordinator pages of the web app."
    )
    clock: datetime | None = Field(
        default=None,
        description="The moment the web app and the answers entered on the command line take "
        "as 'now' when the service starts, then running on in real time, e.g. "
        "2007-09-10T09:00+08:00 (without an offset: UTC). For demonstrations and the README "
        "walk-through of a fast-forwarded campaign; unset (production): the real clock.",
    )
    link_grace_days: int = Field(
        default=30,
        ge=0,
        description="Days a personal link still shows its status (read-only) after its "
        "request is settled or its campaign has ended; then it has expired.",
    )

    imap_host: str | None = Field(
        default=None,
        description="IMAP server of the office's mailbox that bureaus reply to; unset means "
        "answers by e-mail are not read (docs/inbox.md).",
    )
    imap_port: int = Field(default=143, description="IMAP server port (993 for ssl).")
    imap_security: Literal["none", "starttls", "ssl"] = Field(
        default="none", description="Transport security towards the IMAP server."
    )
    imap_user: str | None = Field(default=None, description="IMAP login.")
    imap_password: str | None = Field(default=None, description="IMAP password.")
    imap_folder: str = Field(
        default="INBOX", description="Folder the replies arrive in (read by fetch and watch)."
    )
    imap_processed_folder: str = Field(
        default="已处理", description="Folder processed mail is moved to (created if missing)."
    )
    imap_held_folder: str = Field(
        default="待人工处理",
        description="Folder mail held for a coordinator is moved to (created if missing).",
    )
    inbox_max_message_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1024,
        description="Larger messages are not downloaded: only their headers are read and "
        "the sender is asked to send the table alone.",
    )
    inbox_replies_per_sender_per_day: int = Field(
        default=20,
        ge=1,
        description="At most this many automatic replies (receipts, rejections) to one "
        "sender address a day; more mail from it is held (a guard against mail loops).",
    )
    inbox_reply_tags: bool = Field(
        default=False,
        description="Give request mail and reminders a per-request Reply-To of the form "
        "local+tag@domain of CAMPAIGN_MAIL_FROM (the mail server must deliver plus-addresses "
        "to the mailbox).",
    )

    work_pool: str | None = Field(
        default=None,
        description="Prefect work pool the campaigns' tick deployments go to (workers started "
        "with `prefect worker start --pool NAME` run them); unset: `campaign worker` serves "
        "them itself. See docs/operations.md.",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'campaign.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The one Settings instance. Tests call get_settings.cache_clear() after changing env."""
    return Settings()

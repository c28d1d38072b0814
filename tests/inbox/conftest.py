"""Inbox fixtures: a real Dovecot IMAP server, a mailbox emptied per test, and the replies
world with its request mails queued (their Message-IDs and pre-filled tables).

Dovecot (Debian's dovecot-imapd, installed by scripts/setup.sh --system) is started once
per session (once per xdist worker) on a free loopback port of the worker's own. Without
it these tests skip, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlmodel import Session

from campaign import db as dbmod
from campaign.inbox.dovecot import Dovecot, dovecot_installed, running_dovecot
from tests.support.parts import missing_part
from tests.support.ports import free_port

from .support import MailWorld, build_mail_world

FOLDERS = ("INBOX", "已处理", "待人工处理")


@pytest.fixture(scope="session")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    if not dovecot_installed():
        missing_part("Dovecot is not installed (apt-get install dovecot-imapd)")
    with running_dovecot(tmp_path_factory.mktemp("dovecot"), port=free_port()) as server:
        yield server


class Imap:
    """The test's view of the mailbox: append mail, count what each folder holds."""

    def __init__(self, server: Dovecot) -> None:
        self.server = server

    def client(self) -> IMAPClient:
        client = IMAPClient(self.server.host, port=self.server.port, ssl=False, timeout=30)
        client.login(self.server.user, self.server.password)
        return client

    def append(self, *messages: bytes, folder: str = "INBOX", at: datetime | None = None) -> None:
        """Deliver messages; `at`: when the server received them (INTERNALDATE)."""
        client = self.client()
        try:
            for message in messages:
                client.append(folder, message, msg_time=at)
        finally:
            client.logout()

    def uids(self, folder: str) -> list[int]:
        client = self.client()
        try:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return list(client.search(["UNDELETED"]))
        finally:
            client.logout()

    def counts(self) -> dict[str, int]:
        return {folder: len(self.uids(folder)) for folder in FOLDERS}

    def flags(self, folder: str) -> list[tuple[bytes, ...]]:
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            return [d[b"FLAGS"] for d in client.fetch(client.search(), ["FLAGS"]).values()]
        finally:
            client.logout()

    def empty(self) -> None:
        client = self.client()
        try:
            for folder in FOLDERS:
                if client.folder_exists(folder):
                    client.select_folder(folder)
                    uids = client.search()
                    if uids:
                        client.delete_messages(uids)
                        client.expunge()
        finally:
            client.logout()


@pytest.fixture
def imap(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> Imap:
    """An empty mailbox the settings point at."""
    for name, value in dovecot.env().items():
        monkeypatch.setenv(name, value)
    dbmod.get_settings.cache_clear()
    box = Imap(dovecot)
    box.empty()
    return box


@pytest.fixture
def mail_world(session: Session) -> MailWorld:
    return build_mail_world(session)


@pytest.fixture
def lite_mail_world(lite_session: Session) -> MailWorld:
    """mail_world on SQLite only, for tests whose subject is not the database."""
    return build_mail_world(lite_session)


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return tmp_path / "var"

"""A private Dovecot IMAP server on loopback, for tests, the benchmark and the demo.

Its own config file, Maildir, state and log under one folder; its sockets in a short
folder of their own in the system's temporary folder (a Unix socket's path holds at most
107 bytes, and the folder may lie deep: a test's tmp_path, a --data-dir); plaintext login
on loopback for one static user. As root, the mail and login processes run as `dovenull`
(Dovecot refuses root for them); otherwise as the current user. Mail can be APPENDed
over IMAP or dropped into `maildir` (new/) by the demo SMTP server.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "office", "office-secret"


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    root: Path
    home: Path  # the user's home; its mail/ is the INBOX as a Maildir

    @property
    def maildir(self) -> Path:
        """The INBOX as a Maildir (cur/, new/, tmp/)."""
        return self.home / "mail"

    def env(self) -> dict[str, str]:
        """CAMPAIGN_IMAP_* settings pointing at this server."""
        return {
            "CAMPAIGN_IMAP_HOST": self.host,
            "CAMPAIGN_IMAP_PORT": str(self.port),
            "CAMPAIGN_IMAP_USER": self.user,
            "CAMPAIGN_IMAP_PASSWORD": self.password,
            "CAMPAIGN_IMAP_SECURITY": "none",
        }


def dovecot_installed() -> bool:
    return Path(DOVECOT).exists() or shutil.which("dovecot") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _account() -> tuple[str, str, int, int]:
    """(user, group, uid, gid) the mail and login processes run as."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return entry.pw_name, grp.getgrgid(os.getegid()).gr_name, entry.pw_uid, os.getegid()
    for name in ("dovenull", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return name, grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid
    raise RuntimeError("no unprivileged user (dovenull, nobody) to run Dovecot's processes as")


def _config(root: Path, run: Path, home: Path, port: int, user: str, group: str) -> str:
    internal = "root" if os.geteuid() == 0 else user
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {run}
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal if internal != "root" else "root"}
default_login_user = {user}
mail_location = maildir:{home}/mail
mail_uid = {user}
mail_gid = {group}
first_valid_uid = 0
first_valid_gid = 0
mail_max_userip_connections = 100
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={home}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


@contextmanager
def running_dovecot(root: Path, *, port: int | None = None) -> Iterator[Dovecot]:
    """Dovecot serving IMAP on 127.0.0.1:port for the duration of the block."""
    root = Path(root).resolve()
    port = port or _free_port()
    user, group, uid, gid = _account()
    (root / "state").mkdir(parents=True, exist_ok=True)
    run = Path(tempfile.mkdtemp(prefix="campaign-dovecot-"))
    # As root, the mail processes run as another user, who may not pass through the
    # caller's private folders (pytest's are 0700): their home is a folder of its own.
    home = Path(tempfile.mkdtemp(prefix="campaign-imap-")) if os.geteuid() == 0 else root / "home"
    for sub in ("mail/cur", "mail/new", "mail/tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        for sub in ("", "mail", "mail/cur", "mail/new", "mail/tmp"):
            os.chown(home / sub, uid, gid)
    config = root / "dovecot.conf"
    config.write_text(_config(root, run, home, port, user, group), encoding="utf-8")
    binary = DOVECOT if Path(DOVECOT).exists() else (shutil.which("dovecot") or DOVECOT)
    with open(root / "start.log", "wb") as log:  # the daemon keeps no pipe of ours open
        subprocess.run(
            [binary, "-c", str(config)],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=30,
        )
    try:
        _wait_for(port, root)
        yield Dovecot("127.0.0.1", port, USER, PASSWORD, root, home)
    finally:
        subprocess.run(
            [binary, "-c", str(config), "stop"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
        shutil.rmtree(run, ignore_errors=True)
        if home != root / "home":
            shutil.rmtree(home, ignore_errors=True)


def _wait_for(port: int, root: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    log = (root / "dovecot.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"Dovecot did not answer on port {port}:\n{log}")

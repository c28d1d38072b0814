"""Benchmark: intake of N replies with tables from a real IMAP server (Dovecot).

    .venv/bin/python bench/bench_inbox.py [--replies 3000] [--database URL] [--profile]

Each of N bureaus answers its request mail with its filled-in .xlsx (its own _meta).
The replies are APPENDed to a private Dovecot's INBOX (not timed), then, in one run:

- fetch:  merely fetching the same messages: log in, select, list the UIDs, their sizes,
          and every message's bytes (BODY.PEEK[], chunks of 100), as the intake does;
          and again with each message's MIME parsed (campaign.inbox.parse), for scale.
- intake: fetch_inbox: fetch, parse the mail, match the request, check and parse the
          table, store the submission and its files, queue the threaded receipt; one
          transaction per batch of messages (a savepoint each), then one flag and one
          move of the batch to 已处理.

Prints replies per second for both and the ratio (goal: intake ≥ 0.5 × fetch), and the
CPU seconds of this process in each (time.process_time; the mail server's and
PostgreSQL's are not counted).
Needs dovecot-imapd (scripts/setup.sh --system). Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=3000)
    parser.add_argument("--database", default="", help="SQLAlchemy URL (default: SQLite)")
    parser.add_argument("--profile", action="store_true", help="Profile the intake (CPU time).")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    os.environ["CAMPAIGN_DATA_DIR"] = str(workdir / "var")
    os.environ["CAMPAIGN_DATABASE_URL"] = args.database or f"sqlite:///{workdir / 'bench.db'}"
    os.environ["CAMPAIGN_INBOX_REPLIES_PER_SENDER_PER_DAY"] = "1000"

    from campaign.inbox.dovecot import running_dovecot

    with running_dovecot(workdir / "dovecot") as server:
        os.environ.update(server.env())
        run(args, server)


def run(args: argparse.Namespace, server) -> None:  # type: ignore[no-untyped-def]
    from imapclient import IMAPClient
    from inbox.mails import filled_table
    from inbox.support import add_bureaus, build_mail_world
    from replies.factories import NARRATIVE, numeric_entries
    from sqlmodel import Session

    from campaign import db as dbmod
    from campaign.inbox.fetch import fetch_inbox
    from campaign.inbox.imap import Mailbox
    from campaign.inbox.parse import parse_mail
    from campaign.settings import get_settings

    get_settings.cache_clear()
    url = get_settings().resolved_database_url
    dbmod.migrate(url)
    n = args.replies
    started = time.monotonic()
    with Session(dbmod.get_engine(url), expire_on_commit=False) as session:
        world = build_mail_world(session)
        codes = add_bureaus(session, world, n)
    mails = [
        world.reply(
            code, ("统计表.xlsx", filled_table(world.tables[code], numeric_entries(), NARRATIVE))
        )
        for code in codes
    ]
    client = IMAPClient(server.host, port=server.port, ssl=False)
    client.login(server.user, server.password)
    for mail in mails:
        client.append("INBOX", mail)
    client.logout()
    size = sum(len(m) for m in mails) / n / 1024
    print(
        f"setup: {n} bureaus, {n} replies of {size:.1f} KB appended "
        f"in {time.monotonic() - started:.1f} s"
    )

    started, cpu = time.monotonic(), time.process_time()
    with Mailbox() as box:
        box.select("INBOX")
        uids = box.uids()
        box.sizes(uids)
        fetched = sum(1 for _ in box.bodies(uids))
    fetch_seconds, fetch_cpu = time.monotonic() - started, time.process_time() - cpu
    assert fetched == n, fetched

    started = time.monotonic()
    with Mailbox() as box:
        box.select("INBOX")
        uids = box.uids()
        box.sizes(uids)
        parsed = sum(1 for _, raw in box.bodies(uids) if parse_mail(raw).tables)
    parse_seconds = time.monotonic() - started
    assert parsed == n, parsed

    profiler = cProfile.Profile(time.process_time) if args.profile else None
    started, cpu = time.monotonic(), time.process_time()
    if profiler:
        profiler.enable()
    report = fetch_inbox()
    if profiler:
        profiler.disable()
    intake_seconds, intake_cpu = time.monotonic() - started, time.process_time() - cpu
    assert (report.accepted, report.failed) == (n, 0), report

    fetch_rate, intake_rate = n / fetch_seconds, n / intake_seconds
    print(
        f"fetch:  {n} messages in {fetch_seconds:.2f} s = {fetch_rate:.0f}/s "
        f"(CPU {fetch_cpu:.2f} s)"
    )
    print(f"fetch + MIME parse: {n} in {parse_seconds:.2f} s = {n / parse_seconds:.0f}/s")
    print(
        f"intake: {n} replies  in {intake_seconds:.2f} s = {intake_rate:.0f}/s "
        f"(CPU {intake_cpu:.2f} s, {1000 * intake_cpu / n:.1f} ms per reply; "
        f"accepted {report.accepted}, receipts queued)"
    )
    print(
        f"ratio intake/fetch: {intake_rate / fetch_rate:.3f} (goal >= 0.5); "
        f"intake/(fetch + parse): {intake_rate * parse_seconds / n:.3f}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats("campaign|commit|imap", 45)


if __name__ == "__main__":
    main()

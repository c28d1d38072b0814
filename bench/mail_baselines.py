"""bench_mail's counting SMTP server and its two baselines (see bench_mail.py).

- Server: aiosmtpd in a process of its own (`python bench/mail_baselines.py PORT`) that
  counts and discards what it receives and reports its CPU time when stopped.
- naive: one Prefect task per message, its attachment built from scratch, its message
  built with yagmail, a new SMTP connection each.
- floor: pre-built messages (sample_message: real ones from the outbox) over one smtplib
  connection.
"""

from __future__ import annotations

import asyncio
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


# --------------------------------------------------------------------------- the server
class CountingSink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.count += 1
        return "250 OK"


def serve(port: int) -> None:
    """Child process: count messages until SIGTERM, then print the count."""
    from aiosmtpd.controller import Controller

    handler = CountingSink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = asyncio.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.is_set():
        time.sleep(0.05)
    controller.stop()
    print(handler.count, time.process_time(), flush=True)


class Server:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [sys.executable, __file__, str(self.port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"

    def stop(self) -> int:
        """The number of messages the server received; its CPU seconds in `self.cpu`."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        count, cpu = out.strip().splitlines()[-1].split()
        self.cpu = float(cpu)
        return int(count)


# --------------------------------------------------------------------------- naive
def naive(plan, bureaus, requests, port: int, sample: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from prefect import flow, task
    from prefect.testing.utilities import prefect_test_harness

    from campaign.documents import build_directive, directive_docx
    from campaign.documents.xlsx_table import write_table
    from campaign.schedule import build_schedule

    event = next(e for e in build_schedule(plan) if e.key == "directive:mobilization")
    form = plan.form("progress")
    folder = Path(tempfile.mkdtemp(prefix="naive-"))

    @task
    def send_one(i: int) -> None:
        import yagmail

        bureau = bureaus[i // 2]
        if i % 2 == 0:  # the directive, its .docx built for this message
            path = folder / f"directive-{i}.docx"
            path.write_bytes(directive_docx(build_directive(plan=plan, event=event)))
            subject, text = "关于做好实施阶段工作的通知", "请认真贯彻落实。"
        else:  # the report request, its .xlsx built from scratch for this message
            from campaign.documents import xlsx_table

            xlsx_table._templates.clear()
            path = folder / f"table-{i}.xlsx"
            path.write_bytes(
                write_table(
                    campaign_id=1, document_number=plan.document_number, form=form,
                    duty_key="weekly-progress", period_key="2007-W35",
                    period_label="8月27日至9月2日", due=date(2007, 8, 31),
                    request_id=requests[i // 2].id, bureau_code=bureau.code,
                    bureau_name=bureau.name,
                )
            )  # fmt: skip
            subject, text = "请报送动态信息", "请于8月31日前报送。"
        with yagmail.SMTP(
            user="zxzz-office@hbqts.example.org", host="127.0.0.1", port=port,
            smtp_ssl=False, smtp_starttls=False, smtp_skip_login=True,
        ) as yag:  # fmt: skip
            yag.send(to=bureau.email, subject=subject, contents=[text], attachments=[str(path)])

    @flow
    def send_all(n: int) -> None:
        for i in range(n):
            send_one(i)

    with prefect_test_harness(server_startup_timeout=120):
        send_all(2)  # warm-up: imports, first task run
        started = time.perf_counter()
        send_all(sample)
        elapsed = time.perf_counter() - started
    return {"messages": sample, "total_s": elapsed}


# --------------------------------------------------------------------------- floor
def floor(port: int, count: int, pair: tuple[bytes, bytes]) -> dict[str, float]:
    """`count` pre-built messages, alternately the directive and the request bytes."""
    started, cpu0 = time.perf_counter(), time.process_time()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(count):
            smtp.sendmail("zxzz-office@hbqts.example.org", ["b1@bench.example.org"], pair[i % 2])
    return {
        "messages": count,
        "total_s": time.perf_counter() - started,
        "send_cpu": time.process_time() - cpu0,
    }


def sample_message(url: str, notice: str) -> bytes:
    """One real message (with its attachment) as bytes, for the floor."""
    from datetime import UTC, datetime

    from sqlmodel import Session, select

    from campaign import db
    from campaign.mail.addresses import Address, from_json
    from campaign.mail.mime import Part, build_message, encode_base64
    from campaign.mail.outbox import load_blobs
    from models.outbox import OutboxMessage

    with Session(db.get_engine(url)) as session:
        m = session.exec(select(OutboxMessage).where(OutboxMessage.notice == notice)).first()
        assert m is not None
        blobs = load_blobs(session=session, shas=[a["sha256"] for a in m.attachments])
        return build_message(
            sender=Address("", "zxzz-office@hbqts.example.org"),
            to=[from_json(a) for a in m.to_addrs],
            cc=[],
            subject=m.subject,
            message_id=m.message_id,
            date=datetime.now(UTC),
            text=m.text_body,
            html=m.html_body,
            attachments=[
                Part(a["filename"], a["content_type"], encode_base64(blobs[a["sha256"]]))
                for a in m.attachments
            ],
        )


if __name__ == "__main__":
    serve(int(sys.argv[1]))

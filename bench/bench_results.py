"""Benchmark: a stage summary over 3,000 units × 17 periods × 15 fields (765,000 figures).

    .venv/bin/python bench/bench_results.py [--units 3000] [--periods 17]

The rows are generated with bulk Core inserts into a temporary SQLite database. Measured in
the same run, each timed without and then measured for peak memory with tracemalloc:

- load:    merely fetching the rows the summary rests on (bureaus, requests, submissions
           with their JSON values) — the floor;
- frames:  campaign.results.load.load_frames (the same three queries, into DataFrames);
- compile: campaign.results.compile.compile_results over those frames;
- outputs: the 汇总表 workbook, the three charts, the 阶段小结 and 通报 drafts (.docx).

Each stage prints its wall time and, beside it, the CPU time of this process (which
includes SQLite's work): on a machine shared with other work the CPU time is the steadier
figure, the wall time the one the goals speak of.

Not a test: it prints figures and the ratios against the goals (compile ≤ 2× load; all
outputs ≤ 10 s).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import models  # noqa: E402,F401  (every table)
from models.bureau import Bureau  # noqa: E402
from models.campaign import Campaign  # noqa: E402
from models.request import ReportRequest  # noqa: E402
from models.submission import ReportSubmission  # noqa: E402

START = date(2026, 1, 5)
FIELDS = [f"f{i:02d}" for i in range(1, 16)]  # 12 period counts, 2 cumulative, 1 percent


def plan_text(periods: int) -> str:
    end = START + timedelta(weeks=periods) - timedelta(days=1)
    fields = []
    for i, key in enumerate(FIELDS):
        if i == 14:
            fields.append(f"      - {{key: {key}, label: 指标{i + 1}, type: percent}}")
        elif i in (12, 13):
            fields.append(
                f"      - {{key: {key}, label: 指标{i + 1}, type: integer, unit: 家, "
                "accumulation: cumulative}"
            )
        else:
            fields.append(f"      - {{key: {key}, label: 指标{i + 1}, type: integer, unit: 件}}")
    return f"""
document_number: 基准〔2026〕1号
title: 基准专项行动
issuing_authority: 基准局
office: {{name: 办公室, contact: 联络员, phone: "010-0", email: office@example.org}}
document: {{recipients: 各单位, issued_on: 2026-01-01, printed_by: 办公室}}
phases:
  - {{key: work, kind: implementation, name: 集中整治, start: {START}, end: {end},
     directive: null}}
forms:
  - key: progress
    title: 进展统计表
    fields:
{chr(10).join(fields)}
duties:
  - {{key: weekly, name: 动态信息, kind: progress, form: progress, phase: work,
     schedule: {{type: weekly, weekday: monday}}}}
targets:
  - {{key: ratio, name: 合格率, form: progress, comparator: ">=", threshold: 90, unit: "%",
     metric: {{ratio: {{numerator: f14, denominator: f13}}}}, scope: per_bureau}}
  - {{key: share, name: 覆盖率, form: progress, comparator: ">=", threshold: 95, unit: "%",
     metric: {{field: f15}}}}
"""


def populate(url: str, units: int, periods: int) -> int:
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    text = plan_text(periods)
    rng = random.Random(7)
    now = datetime(2026, 1, 5, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Bureau.__table__),  # type: ignore[attr-defined]
            [
                {
                    "code": "000000",
                    "name": "省局",
                    "level": "province",
                    "email": "p@example.org",
                    "contact": "",
                    "phone": "",
                    "active": True,
                }
            ]
            + [
                {
                    "code": f"{i:06d}",
                    "name": f"第{i}单位",
                    "parent_code": "000000",
                    "level": "city",
                    "email": f"u{i}@example.org",
                    "contact": "",
                    "phone": "",
                    "active": True,
                }
                for i in range(1, units + 1)
            ],
        )
        campaign_id = conn.execute(
            insert(Campaign.__table__).returning(Campaign.__table__.c.id),  # type: ignore[attr-defined]
            {
                "document_number": "基准〔2026〕1号",
                "title": "基准专项行动",
                "plan_yaml": text,
                "plan_sha256": hashlib.sha256(text.encode()).hexdigest(),
                "timezone": "Asia/Shanghai",
                "status": "active",
                "created_at": now,
            },
        ).scalar_one()
        requests, submissions = [], []
        request_id = 0
        for p in range(periods):
            start = START + timedelta(weeks=p)
            for i in range(1, units + 1):
                request_id += 1
                late = rng.random() < 0.1
                requests.append(
                    {
                        "id": request_id,
                        "campaign_id": campaign_id,
                        "duty_key": "weekly",
                        "period_key": f"w{p + 1:02d}",
                        "period_label": f"第{p + 1}周",
                        "period_start": start,
                        "period_end": start + timedelta(days=6),
                        "bureau_code": f"{i:06d}",
                        "kind": "request",
                        "due_date": start + timedelta(days=7),
                        "status": "accepted",
                        "opened_at": now,
                        "answered_at": now,
                        "late": late,
                    }
                )
                values = {k: str(rng.randint(0, 50)) for k in FIELDS[:12]}
                values |= {"f13": str(100 + p), "f14": str(90 + p)}
                values["f15"] = str(rng.randint(80, 100))
                submissions.append(
                    {
                        "request_id": request_id,
                        "campaign_id": campaign_id,
                        "bureau_code": f"{i:06d}",
                        "version": 1,
                        "values": values,
                        "narrative": "",
                        "channel": "web",
                        "submitted_at": now,
                        "late": late,
                        "review_status": "accepted",
                    }
                )
        conn.execute(insert(ReportRequest.__table__), requests)  # type: ignore[attr-defined]
        conn.execute(insert(ReportSubmission.__table__), submissions)  # type: ignore[attr-defined]
    engine.dispose()
    return int(campaign_id)


CPU: dict[str, float] = {}  # CPU seconds per stage


def timed(label: str, work: Callable[[], Any]) -> tuple[Any, float]:
    """The result and wall seconds of work(); its CPU seconds go to CPU[label]."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    CPU[label] = time.process_time() - cpu
    return result, time.perf_counter() - wall


def show(label: str, seconds: float, more: str = "") -> None:
    print(f"{label:<10} {seconds:7.2f} s   (CPU {CPU[label]:6.2f} s){more}")


def measure(label: str, work: Callable[[], Any]) -> tuple[Any, float, float]:
    result, seconds = timed(label, work)
    del result
    gc.collect()
    tracemalloc.start()
    result = work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    show(label, seconds, f"   peak {peak / 2**20:7.1f} MiB")
    return result, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--periods", type=int, default=17)
    args = parser.parse_args()
    from campaign.db import get_engine
    from campaign.documents.summary_docx import summary_docx
    from campaign.results.charts import write_charts
    from campaign.results.compile import compile_results
    from campaign.results.load import load_frames, window_of
    from campaign.results.summary import summary_result
    from campaign.results.workbook import write_workbook

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        began = time.perf_counter()
        campaign_id = populate(url, args.units, args.periods)
        figures = args.units * args.periods * len(FIELDS)
        print(
            f"{args.units} units × {args.periods} periods × {len(FIELDS)} fields = "
            f"{figures:,} figures, generated in {time.perf_counter() - began:.1f} s"
        )
        engine = get_engine(url)

        def load() -> list[Any]:
            with Session(engine) as session:
                conn = session.connection()
                return [
                    conn.execute(select(*Bureau.__table__.c)).all(),  # type: ignore[attr-defined]
                    conn.execute(select(*ReportRequest.__table__.c)).all(),  # type: ignore[attr-defined]
                    conn.execute(select(*ReportSubmission.__table__.c)).all(),  # type: ignore[attr-defined]
                ]

        def frames() -> Any:
            with Session(engine) as session:
                return load_frames(session=session, campaign_id=campaign_id)

        _, load_s, load_peak = measure("load", load)
        loaded, frames_s, frames_peak = measure("frames", frames)
        today = START + timedelta(weeks=args.periods + 1)
        stage = window_of(loaded.plan, "work")
        compiled, compile_s, compile_peak = measure(
            "compile", lambda: compile_results(loaded, stage=stage, today=today)
        )
        out = Path(tmp) / "out"

        def documents() -> None:
            result = summary_result(compiled, loaded.plan, heading="集中整治", today=today)
            pictures = {p.stem: p for p in (out / "charts").iterdir()}
            for kind in ("stage", "bulletin"):
                (out / f"{kind}.docx").write_bytes(
                    summary_docx(result, loaded.plan, kind, charts=pictures)  # type: ignore[arg-type]
                )

        _, workbook_s = timed("workbook", lambda: write_workbook(compiled, out / "汇总表.xlsx"))
        _, charts_s = timed("charts", lambda: write_charts(compiled, out / "charts"))
        _, documents_s = timed("documents", documents)
        show("workbook", workbook_s)
        show("charts", charts_s)
        show("documents", documents_s, "   (阶段小结 and 通报 .docx)")
        print(f"compile / load           = {compile_s / load_s:.2f}×   (goal ≤ 2×)")
        print(f"(frames + compile) / load = {(frames_s + compile_s) / load_s:.2f}×")
        print(
            f"peak memory: load {load_peak / 2**20:.0f} MiB, frames {frames_peak / 2**20:.0f} "
            f"MiB, compile {compile_peak / 2**20:.0f} MiB"
        )
        total = frames_s + compile_s + workbook_s + charts_s + documents_s
        stages = ("frames", "compile", "workbook", "charts", "documents")
        print(
            f"all outputs (frames + compile + workbook + charts + documents) = {total:.2f} s"
            f"   (CPU {sum(CPU[s] for s in stages):.2f} s; goal ≤ 10 s)"
        )


if __name__ == "__main__":
    main()

"""bench_submit's database: a fresh one per run, seeded with a campaign and its links;
what it holds afterwards; and one submission's CPU called in-process."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "examples" / "hubei-2007.yaml"
POSTGRES_URL = os.environ.get(
    "CAMPAIGN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def database_url(kind: str, folder: Path) -> tuple[str, str | None]:
    """(the server's URL, the PostgreSQL schema made for it or None). The schema's name is
    also its connections' application_name (submit_budget finds its backends by it)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", None
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with create_engine(POSTGRES_URL).begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}&application_name={schema}", schema


def drop_schema(schema: str) -> None:
    from sqlalchemy import create_engine, text

    with create_engine(POSTGRES_URL).begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def seed(url: str, bureaus: int) -> list[tuple[int, str]]:
    """A campaign, `bureaus` city bureaus with one request and link each: [(link id, token)]."""
    from campaign.db import migrate, session_scope
    from campaign.links import issue_link
    from campaign.plan import load_plan_text
    from models.bureau import Bureau, BureauLevel
    from models.campaign import Campaign
    from models.link import LinkPurpose
    from models.request import ReportRequest

    migrate(url)
    text = PLAN.read_text(encoding="utf-8")
    plan = load_plan_text(text)
    links = []
    with session_scope(url) as session:
        campaign = Campaign(
            document_number=plan.document_number,
            title=plan.title,
            plan_yaml=text,
            plan_sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        session.add(campaign)
        session.add(
            Bureau(
                code="420000",
                name="湖北省质量技术监督局",
                level=BureauLevel.province,
                email="prov@bureaus.example.org",
            )
        )
        session.flush()
        for n in range(bureaus):
            code = f"42{n + 1:04d}"
            session.add(
                Bureau(
                    code=code,
                    name=f"第{n + 1}市质量技术监督局",
                    parent_code="420000",
                    level=BureauLevel.city,
                    email=f"b{code}@bureaus.example.org",
                )
            )
            session.flush()
            request = ReportRequest(
                campaign_id=campaign.id,
                duty_key="weekly-progress",
                period_key="2007-W37",
                period_label="第4周（9月10日—9月16日）",
                period_start=date(2007, 9, 10),
                period_end=date(2007, 9, 16),
                bureau_code=code,
                kind="request",
                due_date=date(2007, 9, 14),
            )
            session.add(request)
            session.flush()
            issued = issue_link(
                session=session,
                campaign_id=campaign.id,
                bureau_code=code,
                purpose=LinkPurpose.report,
                request_id=request.id,
            )
            links.append((issued.link.id, issued.token))
    return links


def count_submissions(url: str) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    from campaign.db import session_scope
    from models.submission import ReportSubmission

    with session_scope(url) as session:
        return int(session.exec(select(func.count()).select_from(ReportSubmission)).one())


def in_process_cost(links: list[tuple[int, str]], n: int = 400) -> float:
    """CPU ms of one submission called directly (BureauViews.submit: no HTTP, no threads,
    the same database), after the server has stopped. bare / (bare + this) bounds the
    ratio this design can reach with no contention at all."""
    from submit_load import ENTRIES, NARRATIVE

    from campaign.web.app import create_app
    from campaign.web.form_post import FormPost

    app = create_app()
    views, tokens = app.state.bureau_views, app.state.tokens

    def submit(i: int) -> None:
        link_id, token = links[i % len(links)]
        csrf = tokens.issue(f"link:{link_id}")
        post = FormPost(csrf, csrf, entries=dict(ENTRIES), narrative=NARRATIVE)
        outcome = views.submit(token, post)
        assert outcome.response.status_code == 200, outcome.response.body[:300]

    for i in range(50):  # warm up: plan parsed, statements compiled
        submit(i)
    started = time.process_time()
    for i in range(n):
        submit(i)
    views.close()
    return 1000 * (time.process_time() - started) / n

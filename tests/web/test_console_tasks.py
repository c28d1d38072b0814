"""The task ledger (任务台账) on the console's dashboard: each tracked task with its lead
and cooperating units, deadline and state from campaign.tasks, the tasks not done first;
as a plain function on SQLite and PostgreSQL, and over HTTP."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from campaign.orchestration.tick import run_tick
from campaign.plan.stored import plan_of
from campaign.tasks.store import task_ledger
from campaign.web.console_matrix import MatrixQuery
from campaign.web.console_views import dashboard_context
from models.campaign import Campaign
from models.request import ReportRequest
from tests.orchestration.orchestration_support import answer, at
from tests.support.fujian import launch_fujian
from web.conftest import Web
from web.test_admin import login

OFFICE, LAW, FINANCE = "350001", "350002", "350009"
DAY = date(2017, 12, 5)


def test_the_ledger_shows_every_task_not_done_first(session: Session) -> None:
    campaign_id = launch_fujian(session)
    run_tick(campaign_id=campaign_id, as_of=at("2017-05-27"))
    session.rollback()
    period = session.exec(
        select(ReportRequest.period_key).where(ReportRequest.duty_key == "budgets-and-fees")
    ).one()
    answer(session, campaign_id, "budgets-and-fees", period, FINANCE, document="http://x/yjs")
    answer(session, campaign_id, "policy-disclosure", period, OFFICE, completed=1)
    answer(session, campaign_id, "policy-disclosure", period, LAW, completed=0)
    session.rollback()
    context = dashboard_context(
        session=session, campaign_id=campaign_id, today=DAY, query=MatrixQuery()
    )
    assert context is not None
    rows = context["tasks"]
    ledger = task_ledger(
        session=session,
        campaign_id=campaign_id,
        plan=plan_of(session.get(Campaign, campaign_id)),
        today=DAY,
    )
    # the states are campaign.tasks' own, every task once
    assert {r["key"]: r["label"] for r in rows} == {e.key: e.label for e in ledger}
    assert len(rows) == 18 and context["tasks_open"] == 17
    assert rows[-1]["key"] == "budgets-and-fees" and rows[-1]["label"] == "已完成"
    labels = [r["label"] for r in rows]
    assert labels.index("已完成") > max(i for i, x in enumerate(labels) if x != "已完成")
    disclosure = next(r for r in rows if r["key"] == "policy-disclosure")
    assert disclosure["label"] == "逾期" and disclosure["deadline"] == date(2017, 11, 30)
    assert disclosure["done"] == 1 and disclosure["total"] == 3
    assert disclosure["pending"] == "法规与行政审批处、行政服务中心"
    budgets = rows[-1]
    assert budgets["lead"] == "计财科技处" and budgets["done"] == budgets["total"] == 1


def test_the_ledger_on_the_page(web: Web) -> None:
    campaign_id = launch_fujian(web.session)
    login(web)
    page = web.client.get(f"/admin/campaigns/{campaign_id}").text
    ledger = page[page.index('id="tasks"') : page.index('id="summaries"')]
    assert "任务台账（18项，未完成18项）" in ledger
    assert "<th>牵头单位</th><th>配合单位</th><th>完成时限</th><th>状态</th>" in ledger
    assert "深入推进预决算及收费信息公开" in ledger and "计财科技处" in ledger
    assert "2017年11月30日" in ledger and "未启动" in ledger
    hubei = web.client.get(f"/admin/campaigns/{web.world.campaign.id}").text
    assert 'id="tasks"' not in hubei  # a plan without tracked tasks shows no ledger

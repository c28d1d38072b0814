"""The weekly digest: who reported on time, late or not at all; period and cumulative
figures; one mail to the office per period, with the 汇总表 attached."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import select

from campaign.orchestration.tick import run_tick
from campaign.results.digest import period_digest
from models.outbox import OutboxBlob, OutboxMessage
from tests.orchestration.orchestration_support import answer, at
from tests.results.fixture import TODAY, frames


def test_the_digest_of_a_period_names_every_unit_in_registry_order():
    digest = period_digest(frames(), "weekly", "2026-w03", TODAY)
    assert digest.period_label == "第2周"
    assert (digest.on_time, digest.late, digest.missing) == (["乙局", "丁局"], ["甲局"], ["丙局"])
    period = {t["field"]: t["total"] for t in digest.period_totals}
    cumulative = {t["field"]: t["total"] for t in digest.cumulative_totals}
    assert (period["inspections"], cumulative["inspections"]) == ("9", "17")  # apart
    assert any("待审核" in note for note in digest.notes)


def test_one_digest_mail_per_period_to_the_office_with_the_workbook(session, hubei_campaign):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-23"))
    answer(session, hubei_campaign, "weekly-progress", "2007-W34", "420100")
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-25"))  # W34 due 08-24
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-27"))
    session.rollback()
    digests = session.exec(select(OutboxMessage).where(OutboxMessage.notice == "digest")).all()
    assert [m.key for m in digests] == ["digest:weekly-progress:2007-W34"]
    (mail,) = digests
    assert mail.to_addrs[0]["email"] == "zxzz-office@hbqts.example.org"
    assert mail.subject.startswith("【报送情况】动态信息（8月20日至8月26日）：按时1个")
    assert "未报（16个）：黄石市质量技术监督局、十堰市质量技术监督局" in mail.text_body
    (attachment,) = mail.attachments
    blob = session.get(OutboxBlob, attachment["sha256"])
    wb = load_workbook(io.BytesIO(blob.content))
    assert "报送情况" in wb.sheetnames

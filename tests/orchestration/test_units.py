"""Units at launch and in the tick, on both databases: a launch whose reporters match no unit
is refused naming the duty; selectors choose who is asked; recipients are stored on each
request and shown in its mail and on its page."""

from __future__ import annotations

import pytest
from orchestration_support import at
from sqlmodel import Session, select
from typer.testing import CliRunner

from campaign.bureaus import import_bureau_csv
from campaign.cli import app
from campaign.orchestration.launch import UnitsUnmatched
from campaign.orchestration.tick import run_tick
from models.campaign import Campaign
from models.outbox import OutboxMessage
from models.request import ReportRequest
from tests.support import hubei

HUBEI = hubei.HUBEI_PLAN.read_text(encoding="utf-8")
WEEKLY = (
    "    phase: implementation\n    reporters: city\n    schedule: {type: weekly, weekday: friday}"
)
GOVERNMENTS = (
    "code,name,parent_code,level,email,contact,phone,kind,government_code,groups\n"
    "g42,湖北省人民政府,,,gov@hubei.example.org,,,government,,\n"
    "g4201,武汉市人民政府,g42,,gov@wuhan.example.org,,,government,,\n"
    "420100,武汉市质量技术监督局,420000,city,wuhan@hbqts.example.org,信息报送员,027-00000001,"
    "bureau,g4201,pilot\n"
    "420000-zjc,质量监督处,420000,,zjc@hbqts.example.org,,,division,,\n"
)


def edited(old: str, new: str) -> str:
    assert HUBEI.count(old) == 1, old
    return HUBEI.replace(old, new)


def campaigns(session: Session) -> int:
    session.rollback()
    return len(session.exec(select(Campaign)).all())


def test_a_launch_with_an_empty_registry_is_refused_naming_every_duty(session: Session) -> None:
    with pytest.raises(UnitsUnmatched) as caught:
        hubei.launch_plan(session)
    message = str(caught.value)
    assert (
        message.splitlines()[0] == "鄂质监发〔2007〕77号 未启动：方案所指的单位在单位名录中不存在"
    )
    # each problem names its line in the plan (the launch locates them in the plan's text)
    assert "第 5 行：directive_to：通知的主送单位（city）在单位名录中没有匹配的单位" in message
    for duty in ("动态信息”（weekly-progress）", "专项整治工作总结”（final-summary）"):
        assert f"报送任务“{duty}的报送单位" in message
    assert campaigns(session) == 0


def test_only_the_duty_whose_reporters_match_nothing_is_named(session: Session) -> None:
    hubei.import_hubei_bureaus(session)  # the province and its cities: no county
    text = edited(WEEKLY, WEEKLY.replace("reporters: city", "reporters: county"))
    with pytest.raises(UnitsUnmatched) as caught:
        hubei.launch_plan(session, text.encode())
    problems = [str(p) for p in caught.value.problems]
    assert problems == [
        "第 212 行：duties[0].reporters：报送任务“动态信息”（weekly-progress）的报送单位"
        "（county）在单位名录中没有匹配的单位，启动后将无人报送；"
        "请先导入单位名录（campaign bureaus import）或修改 reporters"
    ]
    assert campaigns(session) == 0


def test_the_cli_refuses_the_launch_with_the_message(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["launch", str(hubei.HUBEI_PLAN)])
    assert result.exit_code == 1
    assert "未启动：方案所指的单位在单位名录中不存在" in result.stderr
    assert "报送任务“动态信息”（weekly-progress）" in result.stderr
    assert "Traceback" not in result.output


def launch_with_units(session: Session, text: str) -> int:
    hubei.import_hubei_bureaus(session)
    import_bureau_csv(session=session, raw=GOVERNMENTS.encode())
    session.commit()
    campaign_id = hubei.launch_plan(session, text.encode())
    session.commit()
    return campaign_id


def test_selected_units_are_asked_and_recipients_are_stored_and_shown(session: Session) -> None:
    """The pilot group and the 处室 report to the office and to their own government; the
    other cities receive the directives only (参照执行)."""
    chosen = WEEKLY.replace(
        "reporters: city",
        "reporters: [{group: pilot}, {kind: division}]\n    recipients: [office, government]",
    )
    campaign_id = launch_with_units(session, edited(WEEKLY, chosen))
    run_tick(campaign_id=campaign_id, as_of=at("2007-08-20"))
    run_tick(campaign_id=campaign_id, as_of=at("2007-08-27"))  # the plan's 通知 goes out
    session.rollback()
    requests = session.exec(
        select(ReportRequest).where(ReportRequest.duty_key == "weekly-progress")
    ).all()
    by_code = {r.bureau_code: r.recipients for r in requests}
    office = {"name": "省局产品质量和食品安全专项整治工作领导小组办公室", "code": None}
    assert by_code == {
        "420100": [office, {"name": "武汉市人民政府", "code": "g4201"}],
        "420000-zjc": [office],  # no government of its own: the office only
    }
    directed = {
        m.bureau_code
        for m in session.exec(select(OutboxMessage).where(OutboxMessage.notice == "directive"))
    }
    assert len(directed) == 17 and "420000-zjc" not in directed  # cities receive, most only
    mails = {
        m.bureau_code: m
        for m in session.exec(select(OutboxMessage).where(OutboxMessage.notice == "request"))
    }
    assert (
        "报送对象：省局产品质量和食品安全专项整治工作领导小组办公室、武汉市人民政府。"
        in mails["420100"].text_body
    )
    assert (
        "报送对象：省局产品质量和食品安全专项整治工作领导小组办公室、武汉市人民政府。"
        in mails["420100"].html_body
    )
    assert "报送对象" not in mails["420000-zjc"].text_body  # the office alone goes unsaid


def test_the_office_itself_carries_a_duty(session: Session) -> None:
    """省局每季度…: the issuing bureau (root_bureau) is asked for its report."""
    text = edited(WEEKLY, WEEKLY.replace("reporters: city", "reporters: office"))
    campaign_id = launch_with_units(session, text)
    run_tick(campaign_id=campaign_id, as_of=at("2007-08-20"))
    session.rollback()
    asked = session.exec(
        select(ReportRequest.bureau_code).where(ReportRequest.duty_key == "weekly-progress")
    ).all()
    assert asked == ["420000"]

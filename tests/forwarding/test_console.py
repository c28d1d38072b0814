"""Forwarding from the console with a city's own account (TestClient): the form, its bad
inputs beside their fields with nothing stored, the preview, the sending; the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from web.helpers import csrf_of, errors
from web.test_accounts import PASSWORD, login

from campaign import db as dbmod
from campaign.accounts import add_account
from campaign.web.app import create_app
from forwarding.world import WINDOW, at, launched
from models.forwarding import ForwardRecord
from models.outbox import OutboxMessage


class Clock:
    def __init__(self) -> None:
        self.now = at("2007-08-28", 10)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


@pytest.fixture
def console(
    db_url: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, int]]:
    monkeypatch.setenv("CAMPAIGN_PUBLIC_URL", "http://testserver")
    dbmod.get_settings.cache_clear()
    campaign_id = launched(session, db_url)
    for name, unit, role in (
        ("wuhan", "420100", "coordinator"),
        ("wuhan-view", "420100", "viewer"),
        ("office", "420000", "office"),
        ("huangshi", "420200", "coordinator"),
        ("jiangan", "420102", "coordinator"),
    ):
        add_account(session=session, username=name, unit_code=unit, role=role, password=PASSWORD)
    session.commit()
    with TestClient(create_app(clock=Clock()), base_url="http://testserver") as client:
        yield client, campaign_id


def _page(client: TestClient, campaign_id: int) -> str:
    response = client.get(f"/admin/campaigns/{campaign_id}/forward/{WINDOW}")
    assert response.status_code == 200, response.text
    return response.text


def _stored(session: Session) -> tuple[int, int]:
    session.expire_all()
    records = len(session.exec(select(ForwardRecord)).all())
    mails = len(session.exec(select(OutboxMessage).where(OutboxMessage.notice == "forward")).all())
    return records, mails


def test_a_city_previews_then_forwards_and_sees_who_signed(console, session: Session) -> None:  # type: ignore[no-untyped-def]
    client, campaign_id = console
    assert login(client, "wuhan").status_code == 303
    page = _page(client, campaign_id)
    title = re.search(r'name="title" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    assert title.startswith("关于转发《湖北省质量技术监督局关于印发〈") and title.endswith(
        "〉的通知》的通知"
    )
    assert page.count('name="recipients"') == 2 and page.count("checked") == 2
    data = {
        "csrf_token": csrf_of(page),
        "document_number": "武质监发〔2007〕12号",
        "title": title,
        "requirements": "各区局要于9月5日前制定本地实施方案。\n加强督查。",
        "issued_on": "2007-08-28",
        "recipients": ["420102", "420103"],
    }
    url = f"/admin/campaigns/{campaign_id}/forward/{WINDOW}"
    preview = client.post(url, data={**data, "step": "preview"})
    assert preview.status_code == 200 and 'id="preview"' in preview.text
    assert "武汉市质量技术监督局文件" in preview.text and "加强督查。" in preview.text
    assert _stored(session) == (0, 0)
    sent = client.post(url, data={**data, "step": "send"}, follow_redirects=False)
    assert sent.status_code == 303
    again = client.post(url, data={**data, "step": "send"}, follow_redirects=False)  # a second tab
    assert again.status_code in (200, 303)
    assert _stored(session) == (1, 2)
    shown = _page(client, campaign_id)
    assert "武质监发〔2007〕12号" in shown and shown.count("未签收") == 2
    record = session.exec(select(ForwardRecord)).one()
    assert (record.forwarded_by, record.recipients) == ("wuhan", ["420102", "420103"])
    dashboard = client.get(f"/admin/campaigns/{campaign_id}").text
    assert "已转发" in dashboard and "武质监发〔2007〕12号" in dashboard


def test_every_bad_input_is_shown_beside_its_field_and_nothing_is_stored(
    console, session: Session
) -> None:  # type: ignore[no-untyped-def]
    client, campaign_id = console
    login(client, "wuhan")
    page = _page(client, campaign_id)
    response = client.post(
        f"/admin/campaigns/{campaign_id}/forward/{WINDOW}",
        data={
            "csrf_token": csrf_of(page),
            "document_number": "十二号",
            "title": "",
            "requirements": "要求\x07",
            "issued_on": "2007-09-30",
            "recipients": ["420204"],
            "step": "send",
        },
    )
    assert response.status_code == 422
    shown = errors(response.text)
    assert len(shown) == 5, shown
    assert any("发文字号应写作" in m for m in shown)
    assert any("请填写标题" in m for m in shown)
    assert any("不可见的控制字符" in m for m in shown)
    assert any("成文日期不能晚于今天" in m for m in shown)
    assert any("420204不是" in m for m in shown)
    assert 'value="十二号"' in response.text  # what was typed stays in the form
    assert _stored(session) == (0, 0)


def test_forged_token_viewer_and_office_are_refused(console, session: Session) -> None:  # type: ignore[no-untyped-def]
    client, campaign_id = console
    url = f"/admin/campaigns/{campaign_id}/forward/{WINDOW}"
    login(client, "wuhan")
    forged = client.post(url, data={"csrf_token": "x.1.y", "step": "send"})
    assert forged.status_code == 403
    login(client, "wuhan-view")
    page = _page(client, campaign_id)
    assert "只能查看" in page
    assert client.post(url, data={"csrf_token": csrf_of(page), "step": "send"}).status_code == 403
    login(client, "office")
    assert client.get(url).status_code == 404  # the province has nothing of its own to forward
    assert _stored(session) == (0, 0)


def test_the_cli_forwards_once_and_names_each_bad_option(
    session: Session, db_url: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from campaign.cli import app

    campaign_id = launched(session, db_url)
    requirements = tmp_path / "要求.txt"
    requirements.write_text("各区局要于9月5日前制定本地实施方案。\n", encoding="utf-8")
    runner = CliRunner()
    base = ["forward", str(campaign_id), "--unit", "420100", "--requirements", str(requirements)]
    bad = runner.invoke(app, [*base, "--number", "十二号", "--to", "420204"])
    assert bad.exit_code == 1
    assert "--number" in bad.output and "--to" in bad.output and "未转发" in bad.output
    assert _stored(session) == (0, 0)
    good = runner.invoke(app, [*base, "--number", "武质监发〔2007〕12号", "--as", "wuhan"])
    assert good.exit_code == 0, good.output
    assert "已以武质监发〔2007〕12号转发至2个单位" in good.output
    again = runner.invoke(app, [*base, "--number", "武质监发〔2007〕12号"])
    assert again.exit_code == 0 and "未作更改" in again.output
    assert _stored(session) == (1, 2)


def test_another_city_and_a_county_never_reach_wuhans_forwarding(console, session: Session) -> None:  # type: ignore[no-untyped-def]
    client, campaign_id = console
    url = f"/admin/campaigns/{campaign_id}/forward/{WINDOW}"
    login(client, "wuhan")
    page = _page(client, campaign_id)
    data = {"csrf_token": csrf_of(page), "document_number": "武质监发〔2007〕12号",
            "title": "关于转发的通知", "recipients": ["420102"], "step": "send"}  # fmt: skip
    assert client.post(url, data=data, follow_redirects=False).status_code == 303
    login(client, "huangshi")
    own = _page(client, campaign_id)  # 黄石's own page: its counties, nothing of 武汉's
    assert "黄石" in own and "武汉" not in own and "江岸" not in own
    login(client, "jiangan")
    assert client.get(url).status_code == 404
    token = csrf_of(client.get(f"/admin/campaigns/{campaign_id}").text)
    refused = client.post(url, data={**data, "csrf_token": token, "document_number": "x"})
    assert refused.status_code == 404
    dashboard = client.get(f"/admin/campaigns/{campaign_id}").text
    assert "武质监发" not in dashboard
    session.expire_all()
    assert [r.document_number for r in session.exec(select(ForwardRecord)).all()] == [
        "武质监发〔2007〕12号"
    ]

"""The city's 通知 as a document: issuer, number, requirements, 附件 line; LibreOffice lays
it out like the directives (GB/T 9704)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
from documents.test_docx_layout import to_pages

from campaign.documents import build_directive, directive_docx
from campaign.forwarding.notice import Forwarding, default_title, forward_notice, recipients_line
from campaign.plan import Plan
from campaign.schedule import build_schedule
from models.bureau import Bureau, BureauLevel

CITY = Bureau(
    code="420100",
    name="武汉市质量技术监督局",
    parent_code="420000",
    level=BureauLevel.city,
    email="a@example.org",
)
COUNTIES = [
    Bureau(code=c, name=n, parent_code="420100", level=BureauLevel.county, email=f"{c}@example.org")
    for c, n in (("420102", "江岸区质量技术监督局"), ("420103", "江汉区质量技术监督局"))
]


def _notice(plan: Plan, chosen: list[Bureau] = COUNTIES):  # type: ignore[no-untyped-def]
    event = next(e for e in build_schedule(plan) if e.kind == "directive")
    directive = build_directive(plan=plan, event=event)
    title = default_title(issuer=plan.issuing_authority, directive=directive)
    forwarding = Forwarding(
        document_number="武质监发〔2007〕12号",
        title=title,
        requirements=["各区局要于9月5日前制定本地实施方案。", "加强督查，确保按时报送。"],
        issued_on=date(2007, 8, 28),
        recipients=chosen,
    )
    line = recipients_line(chosen, COUNTIES, plan.document.addressees)
    return forward_notice(
        unit=CITY, directive=directive, issuer=plan.issuing_authority, forwarding=forwarding,
        recipients=line, acknowledge_by=date(2007, 8, 30),
    ), directive  # fmt: skip


def test_the_notice_is_the_citys_with_its_requirements_and_the_directive_attached(
    hubei_plan: Plan,
) -> None:
    notice, directive = _notice(hubei_plan)
    assert (
        notice.title == "关于转发《湖北省质量技术监督局关于印发〈全省质监系统产品质量和食品安全"
        "专项整治实施方案〉的通知》的通知"
    )
    assert notice.recipients == "各县（市、区）局"  # the plan's words for all the counties
    paragraphs = [p.text for p in docx.Document(io.BytesIO(directive_docx(notice))).paragraphs]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "武汉市质量技术监督局文件"
    assert "武质监发〔2007〕12号" in paragraphs
    assert "鄂质监发〔2007〕77号" in text  # cited in the forwarding sentence
    assert "各区局要于9月5日前制定本地实施方案。" in paragraphs
    assert f"附件：{directive.title}" in paragraphs
    assert paragraphs.count("武汉市质量技术监督局") == 1  # 署名
    assert "2007年8月28日" in paragraphs
    assert _notice(hubei_plan, COUNTIES[:1])[0].recipients == "江岸区质量技术监督局"


def test_libreoffice_lays_the_notice_out_as_a_directive(
    libreoffice: str, tmp_path: Path, hubei_plan: Plan
) -> None:
    notice, _directive = _notice(hubei_plan)
    pages = to_pages(libreoffice, directive_docx(notice), tmp_path)
    first = [line for line in pages[0] if line]
    assert first[0] == "武汉市质量技术监督局文件"
    assert "武质监发〔2007〕12号" in first
    joined = "".join(line for page in pages for line in page)
    assert "附件：关于印发《全省质监系统" in joined
    assert "加强督查，确保按时报送。" in joined
    assert len(pages) <= 2

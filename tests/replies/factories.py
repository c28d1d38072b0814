"""Domain factories for the replies tests (imported by tests/replies and tests/web).

`build_world(session)` makes one campaign of the Hubei plan (with an extra percent field
on the progress form), three bureaus, their weekly-progress requests, a 签收 request and
the personal links of each, and returns the tokens.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from campaign.links import issue_link
from campaign.plan import Plan, load_plan_text
from models.bureau import Bureau, BureauLevel
from models.campaign import Campaign, CampaignStatus
from models.link import LinkPurpose
from models.request import ReportRequest, RequestStatus

ROOT = Path(__file__).resolve().parents[2]
BEIJING = timezone(timedelta(hours=8))
# Thursday 13 September 2007, 10:00 Beijing time: before the week's Friday due date.
BEFORE_DUE = datetime(2007, 9, 13, 10, 0, tzinfo=BEIJING)
AFTER_DUE = datetime(2007, 9, 17, 9, 30, tzinfo=BEIJING)


def plan_text() -> str:
    """The Hubei plan, plus an optional percent field (自检合格率) on the progress form."""
    data = yaml.safe_load((ROOT / "examples" / "hubei-2007.yaml").read_text(encoding="utf-8"))
    progress = next(f for f in data["forms"] if f["key"] == "progress")
    progress["fields"].append(
        {
            "key": "pass_rate",
            "label": "企业自检合格率",
            "type": "percent",
            "unit": "%",
            "required": False,
        }
    )
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# A complete, consistent answer to the Hubei plan's progress form (every part within its
# whole), as typed into the web form; bench/submit_load.py posts it too.
PROGRESS_ENTRIES = {
    "food_enterprises": "120",
    "licensed_enterprises": "118",
    "standard_registered": "115",
    "archived_enterprises": "120",
    "recall_committed": "110",
    "self_testing": "100",
    "sampled_batches": "40",
    "qualified_batches": "37",
    "inspections": "85",
    "cases_filed": "6",
    "dens_destroyed": "2",
    "value_involved": "12.5",
    "workshop_staff": "300",
    "workshop_staff_trained": "210",
}


def valid_entries() -> dict[str, str]:
    """A complete, consistent progress report (every part within its whole), the extra
    percent field of plan_text() left empty."""
    return {**PROGRESS_ENTRIES, "pass_rate": ""}


NARRATIVE = "本周开展市场准入集中检查，检查企业85家次，立案6件。"


@dataclass
class World:
    campaign: Campaign
    plan: Plan
    requests: dict[str, ReportRequest] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def request(self) -> ReportRequest:
        return self.requests["wuhan"]


def make_campaign(
    session: Session, *, status: CampaignStatus = CampaignStatus.active, number: str = ""
) -> tuple[Campaign, Plan]:
    text = plan_text()
    plan = load_plan_text(text)
    campaign = Campaign(
        document_number=plan.document_number + number,
        title=plan.title,
        plan_yaml=text,
        plan_sha256=hashlib.sha256(text.encode()).hexdigest(),
        timezone=plan.timezone,
        status=status,
    )
    session.add(campaign)
    session.flush()
    return campaign, plan


def add_bureau(session: Session, code: str, name: str, parent: str | None) -> Bureau:
    bureau = Bureau(
        code=code,
        name=name,
        parent_code=parent,
        level=BureauLevel.city if parent else BureauLevel.province,
        email=f"b{code}@bureaus.example.org",
        contact="信息报送员",
        phone="027-0000000",
    )
    session.add(bureau)
    session.flush()
    return bureau


def weekly_request(
    session: Session,
    campaign: Campaign,
    bureau_code: str,
    *,
    week: int = 37,
    status: RequestStatus = RequestStatus.open,
) -> ReportRequest:
    """The weekly-progress request of ISO week `week` of 2007, due on its Friday."""
    monday = date.fromisocalendar(2007, week, 1)
    request = ReportRequest(
        campaign_id=campaign.id,  # type: ignore[arg-type]
        duty_key="weekly-progress",
        period_key=f"2007-W{week}",
        period_label=f"第{week - 33}周（{monday.month}月{monday.day}日—"
        f"{(monday + timedelta(days=6)).month}月{(monday + timedelta(days=6)).day}日）",
        period_start=monday,
        period_end=monday + timedelta(days=6),
        bureau_code=bureau_code,
        kind="request",
        due_date=monday + timedelta(days=4),
        status=status,
    )
    session.add(request)
    session.flush()
    return request


def linked_weekly_request(
    session: Session, campaign: Campaign, bureau_code: str
) -> tuple[ReportRequest, str]:
    """The bureau's weekly request (weekly_request) and the token of its report link."""
    request = weekly_request(session, campaign, bureau_code)
    token = issue_link(
        session=session,
        campaign_id=campaign.id,  # type: ignore[arg-type]
        bureau_code=bureau_code,
        purpose=LinkPurpose.report,
        request_id=request.id,
    ).token
    return request, token


def build_world(session: Session) -> World:
    campaign, plan = make_campaign(session)
    add_bureau(session, "420000", "湖北省质量技术监督局", None)
    add_bureau(session, "420100", "武汉市质量技术监督局", "420000")
    add_bureau(session, "420200", "黄石市质量技术监督局", "420000")
    world = World(campaign=campaign, plan=plan)
    for name, code in (("wuhan", "420100"), ("huangshi", "420200")):
        world.requests[name], world.tokens[name] = linked_weekly_request(session, campaign, code)
    ack = ReportRequest(
        campaign_id=campaign.id,  # type: ignore[arg-type]
        duty_key="ack:market-access",
        period_key="market-access",
        period_label="市场准入集中检查通知",
        bureau_code="420100",
        kind="acknowledgement",
        due_date=date(2007, 8, 22),
    )
    session.add(ack)
    session.flush()
    world.requests["ack"] = ack
    world.tokens["ack"] = issue_link(
        session=session,
        campaign_id=campaign.id,  # type: ignore[arg-type]
        bureau_code="420100",
        purpose=LinkPurpose.acknowledge,
        request_id=ack.id,
    ).token
    world.tokens["ad_hoc"] = issue_link(
        session=session,
        campaign_id=campaign.id,  # type: ignore[arg-type]
        bureau_code="420100",
        purpose=LinkPurpose.ad_hoc,
    ).token
    session.commit()
    return world


def count(session: Session, model: type[SQLModel], **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    session.expire_all()
    return int(session.exec(query).one())


# .xlsx files -----------------------------------------------------------------------------


def table_xlsx(
    *,
    entries: dict[str, Any],
    narrative: str = NARRATIVE,
    meta: dict[str, Any] | None = None,
    header_row: int = 6,
    key_col: int = 5,
    value_col: int = 4,
    formula: tuple[str, str] | None = None,
    extra_rows: list[tuple[str, Any]] | None = None,
) -> bytes:
    """A statistical table laid out per the contract (campaign.replies.xlsx_parse)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "统计表"
    sheet["A1"] = "产品质量和食品安全专项整治工作进展情况统计表"
    for row, (label, value) in enumerate(
        (("填报单位", "武汉市质量技术监督局"), ("报告期", "第4周"), ("报送截止", "2007-09-14")),
        start=2,
    ):
        sheet.cell(row=row, column=1, value=label)
        sheet.cell(row=row, column=2, value=value)
    headers = {
        1: "序号",
        2: "指标名称",
        3: "计量单位",
        value_col: "填报数值",
        key_col: "指标代码",
        6: "填报说明",
    }
    for column, text in headers.items():
        sheet.cell(row=header_row, column=column, value=text)
    rows = [*entries.items(), ("__narrative__", narrative), *(extra_rows or [])]
    for offset, (key, value) in enumerate(rows, start=1):
        row = header_row + offset
        sheet.cell(row=row, column=1, value=offset)
        sheet.cell(row=row, column=key_col, value=key)
        if value not in (None, ""):
            sheet.cell(row=row, column=value_col, value=value)
    if formula is not None:
        sheet[formula[0]] = formula[1]
    if meta is not None:
        hidden = workbook.create_sheet("_meta")
        hidden.sheet_state = "hidden"
        for row, (key, value) in enumerate(meta.items(), start=1):
            hidden.cell(row=row, column=1, value=key)
            hidden.cell(row=row, column=2, value=str(value))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def numeric_entries() -> dict[str, Any]:
    """valid_entries() as numbers, the way a spreadsheet holds them."""
    out: dict[str, Any] = {}
    for key, text in valid_entries().items():
        out[key] = None if text == "" else (float(text) if "." in text else int(text))
    return out


def rezip(
    data: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None
) -> bytes:
    """A copy of the zip with members added or replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = (replace or {}).get(item.filename, source.read(item.filename))
            target.writestr(item.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def xlsm_bytes() -> bytes:
    """A macro-enabled workbook: vbaProject.bin and the macroEnabled content type."""
    data = table_xlsx(entries=numeric_entries())
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ).replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    return rezip(
        data,
        add={"xl/vbaProject.bin": b'\x00Attribute VB_Name = "Module1"\x00' * 20},
        replace={"[Content_Types].xml": types.encode()},
    )


def zip_bomb_bytes(megabytes: int = 80) -> bytes:
    """A small zip whose one sheet inflates to `megabytes` MB of zeros."""
    out = io.BytesIO()
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


def xls_bytes() -> bytes:
    """The start of a legacy .xls (OLE2 compound file) saved under a .xlsx name."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Workbook".ljust(512, b"\x00")


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)

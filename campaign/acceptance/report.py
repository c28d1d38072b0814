"""The acceptance report (检查验收报告): every target for every unit, with the report each
figure rests on, the on-site inspections and the 整改 orders; as .xlsx and as .docx.

`acceptance_rows` is a pure function of the compiled results (the whole campaign) and
the stored inspections and orders.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from campaign.acceptance.orders import inspections_of
from campaign.acceptance.state import STATE_CN, OrderState, OrderView, orders_of
from campaign.documents.summary_docx import summary_docx
from campaign.plan.schema import Plan
from campaign.results.cells import Book, start_sheet, write_row
from campaign.results.compile import Compiled, compile_results
from campaign.results.load import Frames, load_frames
from campaign.results.summary import WHOLE, summary_result, text
from models.rectification import Inspection
from models.submission import ReviewStatus

TARGET_HEAD = ["单位", "目标", "要求", "实际", "差距", "评价", "依据报告"]
INSPECTION_HEAD = ["单位", "检查日期", "检查人", "结论", "发现的问题"]
ORDER_HEAD = ["编号", "单位", "整改事项", "整改期限", "状态", "办理经过", "整改情况", "审核人",
              "退回意见"]  # fmt: skip


@dataclass(frozen=True)
class OrderRecord:
    """One order as the report and the console show it: its state (已下达, 逾期, 已报告整改
    完成, 退回, 已销号) on a day, the dates of each step, the unit's latest report."""

    number: int
    bureau_code: str
    what: str
    deadline: date  # the current one (a return sets a new one)
    state: OrderState
    status: str  # the state in words
    steps: str  # 2007-11-22下达；2007-12-01报告整改完成；2007-12-07销号
    report: str
    reviewer: str
    comment: str  # the return's, while returned


def order_record(view: OrderView, today: date, timezone: str) -> OrderRecord:
    latest = view.latest
    returned = latest is not None and latest.review_status == ReviewStatus.returned
    state = view.state(today)
    return OrderRecord(
        number=view.order.number,
        bureau_code=view.order.bureau_code,
        what=view.order.what,
        deadline=view.request.due_date or view.order.deadline,
        state=state,
        status=STATE_CN[state],
        steps="；".join(f"{d.isoformat()}{what}" for what, d in view.dates(timezone)),
        report=latest.narrative if latest is not None else "",
        reviewer=(latest.reviewer or "") if latest is not None else "",
        comment=(latest.review_comment or "") if returned and latest is not None else "",
    )


def acceptance_rows(compiled: Compiled, plan: Plan) -> pd.DataFrame:
    """One row per (unit, target), registry order: value, status, gap, the report it rests
    on (the unit's latest accepted report of the target's form) or 未报."""
    rows = []
    targets = {t.key: t for t in plan.targets}
    for row in compiled.targets_unit.itertuples(index=False):
        target = targets[row.target]
        latest = compiled.figures[target.form].latest if target.form in compiled.figures else None
        based = "未报"
        if latest is not None and row.unit in latest.index:
            based = f"{plan.form(target.form).title}（{latest.at[row.unit, 'period_label']}）"
        rows.append(
            {
                "unit": row.unit,
                "单位": row.name,
                "目标": target.name,
                "要求": f"{target.comparator} {target.threshold}{target.unit}",
                "实际": "—"
                if row.value is None or pd.isna(row.value)
                else f"{text(row.value)}{target.unit}",
                "差距": "—" if row.gap is None or pd.isna(row.gap) else text(row.gap),
                "评价": row.status,
                "依据报告": based,
            }
        )
    frame = pd.DataFrame(rows, columns=["unit", *TARGET_HEAD])
    order = dict(zip(compiled.units["code"], compiled.units["order"], strict=True))
    return frame.sort_values("unit", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def write_acceptance_xlsx(
    compiled: Compiled,
    plan: Plan,
    inspections: list[Inspection],
    orders: list[OrderView],
    path: Path,
    today: date | None = None,
) -> Path:
    names = dict(zip(compiled.units["code"], compiled.units["name"], strict=True))
    title = f"{compiled.title}检查验收表"
    with Book(path) as wb:
        ws = wb.sheet("逐单位目标")
        row = start_sheet(ws, title, TARGET_HEAD)
        for record in acceptance_rows(compiled, plan)[TARGET_HEAD].itertuples(index=False):
            write_row(ws, row, list(record), [None] * len(TARGET_HEAD))
            row += 1
        ws = wb.sheet("现场检查")
        row = start_sheet(ws, title, INSPECTION_HEAD)
        for i in inspections:
            values = [names.get(i.bureau_code, i.bureau_code), i.inspected_on.isoformat(),
                      i.inspector, i.verdict, i.findings]  # fmt: skip
            write_row(ws, row, values, [None] * len(values))
            row += 1
        ws = wb.sheet("整改")
        row = start_sheet(ws, title, ORDER_HEAD)
        for view in orders:
            o = order_record(view, today or date.today(), plan.timezone)
            values = [f"第{o.number}号", names.get(o.bureau_code, o.bureau_code), o.what,
                      o.deadline.isoformat(), o.status, o.steps, o.report, o.reviewer,
                      o.comment]  # fmt: skip
            write_row(ws, row, values, [None] * len(values))
            row += 1
    return path


def acceptance_docx(
    compiled: Compiled,
    plan: Plan,
    inspections: list[Inspection],
    orders: list[OrderView],
    today: date | None,
) -> bytes:
    """The acceptance report draft: the final summary's figures plus the inspections and
    the 整改 orders, from templates/documents/acceptance.txt."""
    names = dict(zip(compiled.units["code"], compiled.units["name"], strict=True))
    result = summary_result(compiled, plan, heading="检查验收", today=today)
    result["inspections"] = [
        {
            "unit": names.get(i.bureau_code, i.bureau_code),
            "date": i.inspected_on.isoformat(),
            "verdict": i.verdict,
            "findings": i.findings,
        }  # fmt: skip
        for i in inspections
    ]
    result["orders"] = []
    for view in orders:
        o = order_record(view, today or date.today(), plan.timezone)
        result["orders"].append(
            {
                **asdict(o),
                "unit": names.get(o.bureau_code, o.bureau_code),
                "deadline": o.deadline.isoformat(),
                "state": o.state.value,
            }
        )
    return summary_docx(result, plan, "acceptance")


def write_acceptance_report(
    *, session: Session, campaign_id: int, out: Path, today: date | None
) -> tuple[Path, Path]:
    """The acceptance report of a campaign as (.xlsx, .docx) in `out`."""
    frames: Frames = load_frames(session=session, campaign_id=campaign_id)
    compiled = compile_results(frames, stage=WHOLE, today=today)
    inspections, orders = inspections_of(session, campaign_id), orders_of(session, campaign_id)
    xlsx = write_acceptance_xlsx(compiled, frames.plan, inspections, orders,
                                 out / "检查验收表.xlsx", today)  # fmt: skip
    docx = out / "检查验收报告（草稿）.docx"
    docx.write_bytes(acceptance_docx(compiled, frames.plan, inspections, orders, today))
    return xlsx, docx


def acceptance_bytes(*, session: Session, campaign_id: int, today: date | None) -> dict[str, bytes]:
    """The same as bytes, by file name (what the console's download links serve)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        paths = write_acceptance_report(
            session=session, campaign_id=campaign_id, out=Path(folder), today=today
        )
        return {p.name: p.read_bytes() for p in paths}

"""The bureau's form with yes/no, date and choice fields and a required attachment: what
the page offers, what a wrong entry shows (every problem, nothing stored), what is
stored; the .xlsx upload with its attachment."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

import openpyxl
import pytest
import yaml
from replies import factories
from sqlmodel import select

from campaign.documents.xlsx_table import write_table
from models.attachment import AttachmentKind, SubmissionAttachment
from models.submission import ReportSubmission
from web.conftest import Web, _serve
from web.helpers import NOTHING, csrf_of, errors, form_data, stored

HUBEI_TEXT = factories.plan_text
EXTRA = {
    "licensed_checked": "是",
    "decided_on": "2007-09-12",
    "risk": "较大风险",
}
PDF = ("决定书.pdf", b"%PDF-1.4 test", "application/pdf")


def plan_text() -> str:
    """The replies tests' plan with a yes/no, a date and a choice field, and a required
    attachment (处理决定书) on the progress form."""
    data = yaml.safe_load(HUBEI_TEXT())
    progress = next(f for f in data["forms"] if f["key"] == "progress")
    progress["fields"] += [
        {"key": "licensed_checked", "label": "是否核查许可证", "type": "yes_no"},
        {"key": "decided_on", "label": "处理决定日期", "type": "date"},
        {
            "key": "risk",
            "label": "风险等级",
            "type": "choice",
            "choices": ["一般风险", "较大风险", "重大风险"],
        },
    ]
    progress["attachment"] = {"label": "处理决定书", "required": True}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def web(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Web]:
    """On SQLite and PostgreSQL: what is stored is the subject."""
    monkeypatch.setattr(factories, "plan_text", plan_text)
    yield from _serve(db_url, monkeypatch)


def post(web: Web, changes: dict[str, str], files: list[tuple[str, object]] | None = None):  # type: ignore[no-untyped-def]
    page = web.client.get(web.url())
    data = form_data(csrf_of(page.text), {**EXTRA, **changes})
    return web.client.post(web.url(), data=data, files=files)


def test_the_page_offers_radios_a_date_input_and_a_list(web: Web) -> None:
    page = web.client.get(web.url()).text
    for text in (
        "<legend>是否核查许可证</legend>",
        '<input type="radio" name="f_licensed_checked" value="是">',
        '<input type="radio" name="f_licensed_checked" value="否">',
        '<input type="date" id="f_decided_on" name="f_decided_on" value=""',
        '<select id="f_risk" name="f_risk">',
        '<option value="较大风险">较大风险</option>',
        '<label for="attachments">处理决定书 <span class="kind">（必须上传）</span></label>',
        '<label for="table_attachments">处理决定书',
    ):
        assert text in page, text


def test_wrong_entries_are_all_shown_and_nothing_is_stored(web: Web) -> None:
    response = post(web, {"licensed_checked": "也许", "decided_on": "9月12日", "risk": "特大"})
    assert response.status_code == 422
    shown = errors(response.text)
    for message in (
        "“是否核查许可证”应填写“是”或“否”",
        "“处理决定日期”应填写日期，如2009-03-05",
        "“风险等级”应从以下选项中选择一项：一般风险、较大风险、重大风险",
        "请上传“处理决定书”",
    ):
        assert message in shown, message
    # What was typed is shown again, in its control.
    assert '<input type="date" id="f_decided_on" name="f_decided_on" value="9月12日"' in (
        response.text
    )
    assert '<option value="特大" selected>特大</option>' in response.text
    assert stored(web) == NOTHING


def test_a_complete_answer_is_stored_with_its_attachment(web: Web) -> None:
    response = post(web, {}, files=[("attachments", PDF)])
    assert response.status_code == 200, errors(response.text)
    submission = web.session.exec(select(ReportSubmission)).one()
    assert {k: submission.values[k] for k in EXTRA} == EXTRA
    (file,) = web.session.exec(select(SubmissionAttachment)).all()
    assert (file.filename, file.kind) == ("决定书.pdf", AttachmentKind.attachment)
    # The page shows the stored answer again with the radio and the option chosen.
    page = web.client.get(web.url()).text
    assert '<input type="radio" name="f_licensed_checked" value="是" checked>' in page
    assert '<option value="较大风险" selected>较大风险</option>' in page


def _filled_table(web: Web) -> bytes:
    request = web.world.request
    raw = write_table(
        campaign_id=web.world.campaign.id,  # type: ignore[arg-type]
        document_number=web.world.campaign.document_number,
        form=web.world.plan.form("progress"),
        duty_key=request.duty_key,
        period_key=request.period_key,
        period_label=request.period_label or "",
        due=request.due_date,
        request_id=request.id,  # type: ignore[arg-type]
        bureau_code=request.bureau_code,
        bureau_name="武汉市质量技术监督局",
    )
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    ws = wb.worksheets[0]
    values = {**factories.numeric_entries(), **EXTRA, "decided_on": datetime(2007, 9, 12)}
    for row in range(7, ws.max_row + 1):
        key = ws.cell(row, 5).value
        if key in values and values[key] not in (None, ""):
            ws.cell(row, 4).value = values[key]
        elif key == "__narrative__":
            ws.cell(row, 4).value = factories.NARRATIVE
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_table_upload_needs_the_attachment_too_and_takes_it(web: Web) -> None:
    table = ("统计表.xlsx", _filled_table(web), "application/octet-stream")
    page = web.client.get(web.url()).text
    refused = web.client.post(
        web.url(suffix="/xlsx"), data={"csrf_token": csrf_of(page)}, files={"table": table}
    )
    assert refused.status_code == 422
    assert "请上传“处理决定书”" in errors(refused.text)
    assert stored(web) == NOTHING
    page = web.client.get(web.url()).text
    accepted = web.client.post(
        web.url(suffix="/xlsx"),
        data={"csrf_token": csrf_of(page)},
        files=[("table", table), ("attachments", PDF)],
    )
    assert accepted.status_code == 200, errors(accepted.text)
    submission = web.session.exec(select(ReportSubmission)).one()
    assert {k: submission.values[k] for k in EXTRA} == EXTRA
    kinds = sorted(str(a.kind) for a in web.session.exec(select(SubmissionAttachment)))
    assert kinds == sorted(str(k) for k in (AttachmentKind.attachment, AttachmentKind.source_xlsx))

"""Control characters and long text in answers, on both databases: every input the form
allows is stored (control characters other than tab and line breaks removed from free text)
or refused with its message; nothing is lost, nothing half-stored."""

from __future__ import annotations

from typing import Any

from replies.factories import (
    numeric_entries,
    table_xlsx,
)
from sqlmodel import select

from models.attachment import SubmissionAttachment
from models.outbox import OutboxMessage
from models.request import ReportRequest
from models.submission import ReportSubmission
from web.conftest import Web
from web.helpers import (
    NOTHING,
    csrf_of,
    errors,
    form_data,
    request_status,
    send_form,
    send_table,
    stored,
    summary,
)

ALERT_PREFIX = "【重大情况】武汉市质量技术监督局报送："


def _send_ad_hoc(web: Web, category: str, narrative: str = "某企业被曝光使用非食品原料") -> Any:
    page = web.client.get(web.url("ad_hoc"))
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_of(page.text), "f_category": category, "narrative": narrative}
    return web.client.post(web.url("ad_hoc"), data=data)


def _only_submission(web: Web) -> ReportSubmission:
    rows = web.session.exec(select(ReportSubmission)).all()
    assert len(rows) == 1
    return rows[0]


def _alert(web: Web) -> OutboxMessage:
    alerts = web.session.exec(
        select(OutboxMessage).where(OutboxMessage.notice == "ad_hoc_alert")
    ).all()
    assert len(alerts) == 1
    return alerts[0]


def test_control_characters_in_an_ad_hoc_category_are_removed(web_on_both: Web) -> None:
    web = web_on_both
    response = _send_ad_hoc(web, "重大\x0b案件\x00", narrative="情况\x1b说明\r\n第二行")
    assert response.status_code == 200 and "报送成功" in response.text
    assert stored(web) == {"submissions": 1, "attachments": 0, "mails": 2}  # receipt, alert
    submission = _only_submission(web)
    assert submission.values == {"category": "重大案件"}
    assert submission.narrative == "情况说明\n第二行"
    assert _alert(web).subject == f"{ALERT_PREFIX}重大案件"


def test_a_600_character_category_is_stored_whole_and_the_subject_shortened(
    web_on_both: Web,
) -> None:
    web = web_on_both
    category = "媒体曝光某企业" * 85 + "尾声"  # 597 + 2 characters
    response = _send_ad_hoc(web, category)
    assert response.status_code == 200 and "报送成功" in response.text
    assert stored(web) == {"submissions": 1, "attachments": 0, "mails": 2}
    assert _only_submission(web).values == {"category": category}
    alert = _alert(web)
    assert len(alert.subject) == 500 and alert.subject.endswith("…")
    assert alert.subject.startswith(ALERT_PREFIX + category[:100])
    assert category in alert.text_body


def test_a_category_over_the_form_limit_is_refused_and_kept(web_on_both: Web) -> None:
    web = web_on_both
    page = web.client.get(web.url("ad_hoc")).text
    assert 'maxlength="2000"' in page
    response = _send_ad_hoc(web, "超" * 2001)
    assert response.status_code == 422
    assert errors(response.text) == ["“情况类别”不能超过2000字"]
    assert "超" * 2001 in response.text
    assert stored(web) == NOTHING
    kinds = web.session.exec(select(ReportRequest.kind)).all()
    assert "ad_hoc" not in kinds


def test_a_nul_in_the_narrative_is_removed(web_on_both: Web) -> None:
    web = web_on_both
    response = send_form(web, narrative="本周\x00开展检查\x7f。")
    assert response.status_code == 200 and "报送成功" in response.text
    assert stored(web) == {"submissions": 1, "attachments": 0, "mails": 1}
    assert _only_submission(web).narrative == "本周开展检查。"


def test_a_narrative_of_control_characters_only_is_missing(web_on_both: Web) -> None:
    web = web_on_both
    response = send_form(web, narrative="\x00\x01\x0b")
    assert response.status_code == 422
    assert errors(response.text) == ["请填写“情况说明”"]
    assert stored(web) == NOTHING and request_status(web) == "open"


def test_a_nul_in_a_count_is_refused(web_on_both: Web) -> None:
    web = web_on_both
    response = send_form(web, changes={"inspections": "8\x005"})
    assert response.status_code == 422
    assert errors(response.text) == ["“检查企业”应填写整数"]
    assert stored(web) == NOTHING and request_status(web) == "open"


def test_a_nul_in_an_attachment_name_is_removed(web_on_both: Web) -> None:
    web = web_on_both
    csrf = csrf_of(web.client.get(web.url()).text)
    boundary = "----nulBoundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in form_data(csrf).items()
    ]
    body = (
        "".join(parts).encode()
        + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            'filename="检查\x00报告.pdf"\r\nContent-Type: application/pdf\x00\r\n\r\n'
            f"%PDF-1.4 情况\r\n--{boundary}--\r\n"
        ).encode()
    )
    response = web.client.post(
        web.url(),
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 200 and "报送成功" in response.text
    assert stored(web) == {"submissions": 1, "attachments": 1, "mails": 1}
    attachment = web.session.exec(select(SubmissionAttachment)).one()
    assert attachment.filename == "检查报告.pdf"
    assert attachment.content_type == "application/pdf"


def test_control_characters_in_a_table_are_removed(web_on_both: Web) -> None:
    """Excel writes a control character in a cell as _xHHHH_ (XML cannot hold it)."""
    web = web_on_both
    table = table_xlsx(entries=numeric_entries(), narrative="本周_x0000_检查_x000B_完毕_x000D_")
    response = send_table(web, table)
    assert response.status_code == 200 and "报送成功" in response.text
    assert stored(web) == {"submissions": 1, "attachments": 1, "mails": 1}
    assert _only_submission(web).narrative == "本周检查完毕"


def test_a_table_narrative_over_the_limit_is_refused(web_on_both: Web) -> None:
    web = web_on_both
    response = send_table(web, table_xlsx(entries=numeric_entries(), narrative="情" * 20001))
    assert response.status_code == 422
    assert summary(response.text) == ["“情况说明”不能超过20000字（现为20001字）"]
    assert stored(web) == NOTHING and request_status(web) == "open"


def test_a_lone_surrogate_in_a_table_figure_is_refused(web_on_both: Web) -> None:
    web = web_on_both
    table = table_xlsx(entries=numeric_entries() | {"inspections": "8_xD800_5"})
    response = send_table(web, table)
    assert response.status_code == 422
    assert errors(response.text) == ["“检查企业”应填写整数"]
    assert stored(web) == NOTHING and request_status(web) == "open"


def test_a_narrative_not_in_utf_8_is_stored(web_on_both: Web) -> None:
    web = web_on_both
    csrf = csrf_of(web.client.get(web.url()).text)
    boundary = "----badUtf8Boundary"
    fields = {**form_data(csrf), "narrative": "PLACEHOLDER"}
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        ).encode()
        + f"--{boundary}--\r\n".encode()
    )
    body = body.replace(b"PLACEHOLDER", b"\xed\xa0\x80\xff\xfe\xe6\x83")
    response = web.client.post(
        web.url(),
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 200 and "报送成功" in response.text
    assert stored(web) == {"submissions": 1, "attachments": 0, "mails": 1}
    # Starlette reads a field that is not UTF-8 as Latin-1; the C1 control among it goes.
    assert _only_submission(web).narrative == "í\xa0ÿþæ"

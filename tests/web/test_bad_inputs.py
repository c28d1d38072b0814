"""A corpus of bad inputs: each gets its exact Chinese message, and nothing is stored."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from replies.factories import (
    NARRATIVE,
    numeric_entries,
    table_xlsx,
    valid_entries,
    weekly_request,
    xls_bytes,
    xlsm_bytes,
    zip_bomb_bytes,
)

from campaign.replies import submit_report
from campaign.replies.review import accept_submission
from models.reply import ReportCreate
from web.conftest import Web
from web.helpers import (
    NOTHING,
    csrf_of,
    errors,
    form_data,
    paragraphs,
    request_status,
    send_form,
    send_table,
    stored,
    summary,
)

ALLOWED = "PDF、Word、Excel、WPS、OFD、TXT、JPG、PNG"
FIELD_CASES: list[tuple[str, dict[str, str], str, str]] = [
    ("letters in a count", {"inspections": "abc"}, NARRATIVE, "“检查企业”应填写整数"),
    ("chinese numerals", {"inspections": "八十五"}, NARRATIVE, "“检查企业”应填写整数"),
    ("fraction in a count", {"inspections": "12.5"}, NARRATIVE, "“检查企业”应填写整数"),
    ("negative count", {"inspections": "-3"}, NARRATIVE, "“检查企业”不能为负数"),
    ("negative cumulative count", {"cases_filed": "-1"}, NARRATIVE, "“立案查处案件”不能为负数"),
    ("missing required", {"inspections": ""}, NARRATIVE, "请填写“检查企业”"),
    ("only spaces", {"food_enterprises": "   "}, NARRATIVE, "请填写“食品生产加工企业数”"),
    ("thirty digits", {"inspections": "1" * 30}, NARRATIVE, "“检查企业”应填写整数"),
    ("exponent", {"value_involved": "1e5"}, NARRATIVE, "“涉案货值”应填写数字"),
    ("words in a decimal", {"value_involved": "十二万"}, NARRATIVE, "“涉案货值”应填写数字"),
    ("negative decimal", {"value_involved": "-0.5"}, NARRATIVE, "“涉案货值”不能为负数"),
    ("percent 120", {"pass_rate": "120"}, NARRATIVE, "“企业自检合格率”应在0至100之间（百分数）"),
    ("percent 120%", {"pass_rate": "120%"}, NARRATIVE, "“企业自检合格率”应在0至100之间（百分数）"),
    (
        "negative percent",
        {"pass_rate": "-1"},
        NARRATIVE,
        "“企业自检合格率”应在0至100之间（百分数）",
    ),
    ("percent as words", {"pass_rate": "九成"}, NARRATIVE, "“企业自检合格率”应填写数字"),
    (
        "qualified over sampled",
        {"qualified_batches": "41"},
        NARRATIVE,
        "“抽查合格批次”（41）不能大于“监督抽查批次”（40）",
    ),
    (
        "licensed over all",
        {"licensed_enterprises": "121"},
        NARRATIVE,
        "“获证企业数”（121）不能大于“食品生产加工企业数”（120）",
    ),
    (
        "self-testing over licensed",
        {"self_testing": "119"},
        NARRATIVE,
        "“具备自检能力的获证企业数”（119）不能大于“获证企业数”（118）",
    ),
    (
        "trained over staff",
        {"workshop_staff_trained": "301"},
        NARRATIVE,
        "“已参加培训的小作坊从业人员”（301）不能大于“小作坊从业人员数”（300）",
    ),
    ("missing narrative", {}, "", "请填写“情况说明”"),
    ("blank narrative", {}, " \n\t ", "请填写“情况说明”"),
    ("narrative too long", {}, "情" * 20001, "“情况说明”不能超过20000字（现为20001字）"),
    ("an entry too long", {"inspections": "9" * 6000}, NARRATIVE, "“检查企业”内容过长"),
    ("a field not in the form", {"bogus": "1"}, NARRATIVE, "本表没有指标代码“bogus”"),
]


@pytest.mark.parametrize(
    ("changes", "narrative", "message"),
    [case[1:] for case in FIELD_CASES],
    ids=[case[0] for case in FIELD_CASES],
)
def test_bad_form_entries(web: Web, changes: dict[str, str], narrative: str, message: str) -> None:
    response = send_form(web, changes=changes, narrative=narrative)
    assert response.status_code == 422
    assert summary(response.text) == [message]
    if "bogus" not in changes:
        assert errors(response.text) == [message]
    assert stored(web) == NOTHING and request_status(web) == "open"


def test_a_cumulative_decrease(web: Web) -> None:
    week36 = weekly_request(web.session, web.world.campaign, "420100", week=36)
    values = {**valid_entries(), "cases_filed": "9"}
    earlier = submit_report(
        session=web.session,
        link_or_request=week36,
        channel="cli",
        report_in=ReportCreate(values=values, narrative="上周"),
    ).submission
    accept_submission(session=web.session, submission_id=earlier.id, reviewer="张三")
    web.session.commit()
    before = stored(web)
    response = send_form(web)  # cases_filed 6 < 9
    assert response.status_code == 422
    assert errors(response.text) == [
        "“立案查处案件”为累计数，不能小于上次审核通过的报告（第3周（9月3日—9月9日）：9件）"
    ]
    assert stored(web) == before and request_status(web) == "open"


ATTACHMENT_CASES = [
    (
        "10 MB attachment",
        [("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024))],
        "附件“big.pdf”超过5 MB，请压缩或拆分后上传",
    ),
    (
        "executable",
        [("tool.exe", b"MZ" + b"\0" * 100)],
        f"附件“tool.exe”的类型不予接收（可上传{ALLOWED}文件）",
    ),
    (
        "script",
        [("run.html", b"<script>alert(1)</script>")],
        f"附件“run.html”的类型不予接收（可上传{ALLOWED}文件）",
    ),
    ("empty file", [("empty.pdf", b"")], "附件“empty.pdf”是空文件"),
    ("six files", [(f"{n}.pdf", b"%PDF-1.4") for n in range(6)], "附件最多5个（本次为6个）"),
]


@pytest.mark.parametrize(
    ("files", "message"), [c[1:] for c in ATTACHMENT_CASES], ids=[c[0] for c in ATTACHMENT_CASES]
)
def test_bad_attachments(web: Web, files: list[tuple[str, bytes]], message: str) -> None:
    upload = [("attachments", (name, data, "application/octet-stream")) for name, data in files]
    response = send_form(web, files=upload)
    assert response.status_code == 422
    assert errors(response.text) == [message]
    assert 'name="f_inspections" value="85"' in response.text
    assert stored(web) == NOTHING


def _docx_renamed() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            "<Types><Override ContentType='application/"
            "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'/></Types>",
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _meta(web: Web, **changes: Any) -> dict[str, Any]:
    return {
        "layout_version": 1,
        "campaign_id": web.world.campaign.id,
        "request_id": web.world.request.id,
        "bureau_code": "420100",
        "form_key": "progress",
        **changes,
    }


XLS = "这是旧版Excel（.xls）文件，不予接收。请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后重新上传"
NOT_XLSX = "上传的文件不是Excel工作簿（.xlsx），不予接收。请上传随通知发送的统计表"
OTHER = (
    "上传的统计表是发给其他单位或其他报告期的（表内标识与本链接不符），不予接收。"
    "请上传随本次通知发送的统计表"
)
UPLOAD_CASES: list[tuple[str, Callable[[Web], bytes], str]] = [
    (".xls renamed .xlsx", lambda w: xls_bytes(), XLS),
    (
        "password-protected",
        lambda w: xls_bytes() + "EncryptedPackage".encode("utf-16-le"),
        "上传的统计表设置了打开密码，不予接收。请取消密码后重新上传",
    ),
    (
        ".xlsm with a macro",
        lambda w: xlsm_bytes(),
        "上传的文件含有宏（.xlsm），不予接收。请另存为不含宏的Excel工作簿（.xlsx）后重新上传",
    ),
    ("zip bomb", lambda w: zip_bomb_bytes(), "上传的文件解压后过大（疑似压缩炸弹），不予接收"),
    ("a text file", lambda w: "指标代码,填报数值\ninspections,85\n".encode(), NOT_XLSX),
    ("a broken zip", lambda w: b"PK\x03\x04" + b"\x00garbage" * 50, NOT_XLSX),
    ("a .docx renamed", lambda w: _docx_renamed(), NOT_XLSX),
    ("an empty file", lambda w: b"", "上传的文件是空的，请选择填好的统计表（.xlsx）后重新上传"),
    (
        "a formula cell",
        lambda w: table_xlsx(entries=numeric_entries(), formula=("D13", "=D12*2")),
        "单元格D13含有公式，本系统不计算公式。请将公式改为数值后重新上传",
    ),
    (
        "another bureau's table",
        lambda w: table_xlsx(
            entries=numeric_entries(),
            meta=_meta(w, bureau_code="420200", request_id=w.world.requests["huangshi"].id),
        ),
        OTHER,
    ),
    (
        "another period's table",
        lambda w: table_xlsx(
            entries=numeric_entries(), meta=_meta(w, request_id=w.world.request.id + 100)
        ),
        OTHER,
    ),
    (
        "another form's table",
        lambda w: table_xlsx(entries=numeric_entries(), meta=_meta(w, form_key="final-summary")),
        "上传的统计表不是“产品质量和食品安全专项整治工作进展情况统计表”，请使用随本次通知发送的统计表",
    ),
    (
        "an unknown key",
        lambda w: table_xlsx(entries=numeric_entries(), extra_rows=[("bogus", 1)]),
        "第23行：指标代码“bogus”不是本表的指标",
    ),
    (
        "a repeated key",
        lambda w: table_xlsx(entries=numeric_entries(), extra_rows=[("inspections", 3)]),
        "第23行：指标代码“inspections”与第15行重复",
    ),
    (
        "no header row",
        lambda w: table_xlsx(entries=numeric_entries(), header_row=25),
        "未在统计表前20行找到“指标代码”和“填报数值”两列，无法识别。请使用随通知发送的统计表，不要修改表头",
    ),
    (
        "a word in a number cell",
        lambda w: table_xlsx(entries=numeric_entries() | {"inspections": "很多"}),
        "“检查企业”应填写整数",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"), [c[1:] for c in UPLOAD_CASES], ids=[c[0] for c in UPLOAD_CASES]
)
def test_bad_uploads(web: Web, make: Callable[[Web], bytes], message: str) -> None:
    response = send_table(web, make(web))
    assert response.status_code == 422
    assert summary(response.text) == [message]
    assert stored(web) == NOTHING and request_status(web) == "open"


def test_a_10_mb_upload_is_refused_before_it_is_read(web: Web) -> None:
    response = send_table(web, b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024))
    assert response.status_code == 413
    assert paragraphs(response.text) == [
        "上传的统计表超过5 MB，不予接收。请删除多余的工作表或图片后重新上传"
    ]
    assert stored(web) == NOTHING


def test_a_form_post_over_30_mb_is_refused(web: Web) -> None:
    page = web.client.get(web.url()).text
    files = [
        ("attachments", (f"{n}.pdf", b"0" * (8 * 1024 * 1024), "application/pdf")) for n in range(4)
    ]
    response = web.client.post(web.url(), data=form_data(csrf_of(page)), files=files)
    assert response.status_code == 413
    assert paragraphs(response.text) == ["提交的内容过大（超过30 MB），请压缩或减少附件后重新提交"]
    assert stored(web) == NOTHING

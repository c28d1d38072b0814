"""`campaign reply submit` with yes/no, date and choice fields and a required attachment:
by --value, and by --table (the path of a table that came by mail too)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner
from web.test_form_fields import EXTRA, plan_text

from campaign.cli import app
from models.attachment import SubmissionAttachment
from models.submission import ReportSubmission
from replies import factories

runner = CliRunner()


@pytest.fixture
def world(lite_session: Session, monkeypatch: pytest.MonkeyPatch) -> factories.World:
    monkeypatch.setattr(factories, "plan_text", plan_text)
    return factories.build_world(lite_session)


def _target(world: factories.World) -> list[str]:
    request = world.request
    return [
        world.campaign.document_number,
        "--bureau",
        request.bureau_code,
        "--duty",
        request.duty_key,
        "--period",
        request.period_key,
        "--narrative",
        factories.NARRATIVE,
    ]


def _values(changes: dict[str, str]) -> list[str]:
    args = []
    for key, value in {**factories.valid_entries(), **EXTRA, **changes}.items():
        args += ["--value", f"{key}={value}"]
    return args


def test_bad_entries_and_the_missing_attachment_are_all_named(
    world: factories.World, lite_session: Session
) -> None:
    bad = runner.invoke(
        app,
        [
            "reply",
            "submit",
            *_target(world),
            *_values({"是否核查许可证": "不详", "decided_on": "2007-13-01", "risk": "低"}),
        ],
    )
    assert bad.exit_code == 1
    for text in (
        "是否核查许可证: “是否核查许可证”应填写“是”或“否”",
        "处理决定日期: “处理决定日期”应填写日期，如2009-03-05",
        "风险等级: “风险等级”应从以下选项中选择一项：一般风险、较大风险、重大风险",
        "请上传“处理决定书”",
        "未保存",
    ):
        assert text in bad.output, text
    assert lite_session.exec(select(ReportSubmission)).all() == []


def test_values_by_label_and_the_attachment(
    world: factories.World, lite_session: Session, tmp_path: Path
) -> None:
    decision = tmp_path / "决定书.pdf"
    decision.write_bytes(b"%PDF-1.4 test")
    ok = runner.invoke(
        app,
        [
            "reply",
            "submit",
            *_target(world),
            *_values({"是否核查许可证": "y", "处理决定日期": "2007年9月12日"}),
            "--attach",
            str(decision),
        ],
    )
    assert ok.exit_code == 0, ok.output
    submission = lite_session.exec(select(ReportSubmission)).one()
    assert submission.values["licensed_checked"] == "是"
    assert submission.values["decided_on"] == "2007-09-12"
    assert submission.values["risk"] == "较大风险"
    (file,) = lite_session.exec(select(SubmissionAttachment)).all()
    assert file.filename == "决定书.pdf"

"""A plan with yes/no, date and choice fields, a required attachment, targets of several
shapes and no acceptance phase nor summary duty, simulated end to end: every answer is
taken (the simulated bureaus attach the file), and the targets are evaluated at the end."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from campaign import db as dbmod
from campaign.demo.bureaus import Rates
from campaign.demo.run import simulate
from models.attachment import AttachmentKind, SubmissionAttachment
from models.submission import ReportSubmission

PLAN = """
document_number: 粤质监〔2009〕99号
title: 质量和安全年活动测试方案
issuing_authority: 广东省质量技术监督局
office: {name: 省局领导小组办公室, contact: 张三, phone: "020-1", email: office@example.cn}
document: {recipients: 各地级以上市质监局, issued_on: 2009-03-02, printed_by: 省局办公室}
phases:
  - {key: work, kind: implementation, name: 全面实施阶段, start: 2009-03-02, end: 2009-05-31}
forms:
  - key: monthly
    title: 月度工作进展情况表
    fields:
      - {key: firms, label: 3C获证企业数, type: integer, min: 1, accumulation: cumulative}
      - {key: inspected, label: 检查企业数, type: integer, min: 0, accumulation: cumulative}
      - {key: platforms, label: 检测服务平台数, type: integer, min: 0, max: 9}
      - {key: ledger, label: 是否建立台账, type: yes_no}
      - {key: checked_on, label: 最近一次检查日期, type: date}
      - {key: level, label: 监管等级, type: choice, choices: [A级, B级, C级]}
    part_of_whole: [{part: inspected, whole: firms}]
    attachment: {label: 检查记录, required: true}
duties:
  - {key: monthly, name: 工作进展, kind: progress, form: monthly, phase: work,
     schedule: {type: monthly, day: 5}}
targets:
  - key: ccc
    name: 3C获证企业检查比例
    form: monthly
    metric: {ratio: {numerator: inspected, denominator: firms}}
    comparator: ">="
    threshold: 50
    unit: "%"
    scope: per_bureau
    alternatives: [{metric: {field: inspected}, comparator: ">=", threshold: 500, unit: 家}]
  - {key: platforms, name: 检测服务平台, form: monthly, metric: {field: platforms},
     comparator: between, threshold: 0, upper: 9, unit: 个, scope: per_bureau}
"""


def test_fields_and_targets_end_to_end(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    try:
        result = simulate(
            plan_path=plan,
            data_dir=tmp_path / "data",
            units=4,
            seed=5,
            rates=Rates(late=0.0, missing=0.0, invalid=0.0, returned=0.0),
            prefect=False,
            echo=lambda _line: None,
        )
        with Session(dbmod.get_engine()) as session:
            submissions = session.exec(select(ReportSubmission)).all()
            files = session.exec(
                select(SubmissionAttachment).where(
                    SubmissionAttachment.kind == AttachmentKind.attachment
                )
            ).all()
    finally:
        dbmod.reset()
    assert submissions
    assert {s.values["ledger"] for s in submissions} <= {"是", "否"}
    assert {s.values["level"] for s in submissions} <= {"A级", "B级", "C级"}
    assert all(len(s.values["checked_on"]) == 10 for s in submissions)
    assert len({f.submission_id for f in files}) == len(submissions)
    targets = {t["key"]: t for t in result.targets}
    assert set(targets) == {"ccc", "platforms"}
    assert targets["ccc"]["requirement"] == "≥ 50% 或 ≥ 500家"
    assert targets["platforms"]["requirement"] == "0至9个"
    assert targets["platforms"]["met"] is True  # the simulated figures keep the form's bounds
    assert targets["ccc"]["met"] is not None

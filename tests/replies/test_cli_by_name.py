"""`campaign reply submit` by bureau, duty and period; `links reissue` mails the new link."""

from __future__ import annotations

import email
from email import policy

from sqlmodel import Session, select
from typer.testing import CliRunner

from campaign.cli import app
from campaign.links import find_link
from campaign.mail.server import MaildirHandler
from models.submission import ReportSubmission
from replies.factories import NARRATIVE, World, valid_entries

runner = CliRunner()


def _labels(world: World) -> dict[str, str]:
    duty = next(d for d in world.plan.duties if d.key == world.request.duty_key)
    form = world.plan.form(duty.form)  # type: ignore[arg-type]
    return {f.key: f.label for f in form.fields}


def test_reply_submit_by_bureau_name_duty_and_period_label_with_fields_by_label(
    lite_session: Session, lite_world: World
) -> None:
    labels = _labels(lite_world)
    args = [f"--value={labels[key]}={value}" for key, value in valid_entries().items()]
    request = lite_world.request
    result = runner.invoke(
        app,
        [
            "reply",
            "submit",
            str(lite_world.campaign.id),
            "--bureau",
            "武汉市",  # the one bureau whose name contains it
            "--duty",
            request.duty_key,
            "--period",
            request.period_label,
            *args,
            "--narrative",
            NARRATIVE,
            "--no-send",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "已保存第1次报送" in result.output
    submission = lite_session.exec(select(ReportSubmission)).one()
    assert submission.request_id == request.id and submission.channel == "cli"
    given = {k: str(v) for k, v in valid_entries().items() if v not in ("", None)}
    assert {k: str(v) for k, v in submission.values.items() if k in given} == given


def test_reply_submit_asks_for_missing_values_in_the_forms_order(
    lite_session: Session, lite_world: World
) -> None:
    labels = _labels(lite_world)
    entries = valid_entries()
    answers = "\n".join(str(entries[key]) for key in labels) + f"\n{NARRATIVE}\n"
    request = lite_world.request
    result = runner.invoke(
        app,
        [
            "reply",
            "submit",
            lite_world.campaign.document_number,
            "--bureau",
            request.bureau_code,
            "--duty",
            request.duty_key,
            "--period",
            request.period_key,
            "--interactive",
            "--no-send",
        ],
        input=answers,
    )
    assert result.exit_code == 0, result.output
    asked = [label for label in labels.values() if label in result.output]
    assert asked == list(labels.values())
    positions = [result.output.index(label) for label in labels.values()]
    assert positions == sorted(positions)
    assert lite_session.exec(select(ReportSubmission)).one().narrative == NARRATIVE


def test_reply_submit_names_what_it_cannot_find(lite_world: World) -> None:
    request = lite_world.request
    base = ["reply", "submit", str(lite_world.campaign.id), "--duty", request.duty_key]
    nobody = runner.invoke(app, [*base, "--bureau", "不存在局", "--period", request.period_key])
    assert nobody.exit_code == 2 and "没有代码或名称为 '不存在局' 的单位" in nobody.output
    several = runner.invoke(app, [*base, "--bureau", "质量技术监督局", "--period", "x"])
    assert several.exit_code == 2 and "对应多个单位" in several.output
    no_period = runner.invoke(app, [*base, "--bureau", "420100", "--period", "1999-W01"])
    assert no_period.exit_code == 2
    assert f"--duty {request.duty_key} --period {request.period_key}" in no_period.output


def test_a_reissued_link_arrives_by_mail_and_the_old_one_stops(
    lite_session: Session, lite_world: World, mailserver: MaildirHandler
) -> None:
    old_token = lite_world.tokens["wuhan"]
    result = runner.invoke(
        app,
        [
            "links",
            "reissue",
            "--campaign",
            lite_world.campaign.document_number,
            "--bureau",
            "420100",
            "--purpose",
            "report",
            "--request",
            str(lite_world.request.id),
        ],
    )
    assert result.exit_code == 0, result.output
    url = result.output.splitlines()[0].split("：", 1)[1]
    assert "邮件：发出 1 封，失败 0 封" in result.output
    messages = []
    for key in mailserver.box.iterkeys():
        with mailserver.box.get_file(key) as f:
            messages.append(email.message_from_binary_file(f, policy=policy.default))
    assert len(messages) == 1
    message = messages[0]
    assert "武汉市质量技术监督局" in message["To"] and "专用链接已重新发放" in message["Subject"]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert url in text and "此前发送的链接即日起停用" in text
    lite_session.expire_all()
    assert find_link(session=lite_session, token=url.rsplit("/", 1)[1]) is not None

    assert find_link(session=lite_session, token=old_token) is None

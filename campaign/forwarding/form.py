"""What a unit types to forward a directive, checked field by field: every problem at
once, in Chinese, beside its field; nothing is stored while any remains."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from campaign.forwarding.notice import Forwarding
from models.bureau import EDGE_SPACES, Bureau, invisible_character

NUMBER = re.compile(r"^\S.*〔\d{4}〕\d+号$")
NUMBER_MAX, TITLE_MAX, PARAGRAPH_MAX, REQUIREMENTS_MAX = 100, 300, 2000, 20000
FIELDS = ("document_number", "title", "requirements", "issued_on", "recipients")


@dataclass
class ForwardInput:
    """The form as sent (strings), or the CLI's arguments."""

    document_number: str = ""
    title: str = ""
    requirements: str = ""
    issued_on: str = ""
    recipients: list[str] = field(default_factory=list)


@dataclass
class Checked:
    forwarding: Forwarding | None
    errors: dict[str, str]


def paragraphs(text: str) -> list[str]:
    """The requirements as paragraphs: one a line, blank lines and edge spaces dropped."""
    return [line.strip(EDGE_SPACES) for line in text.splitlines() if line.strip(EDGE_SPACES)]


def _line(value: str, label: str, limit: int) -> tuple[str, str | None]:
    text = value.strip(EDGE_SPACES)
    if not text:
        return text, f"请填写{label}"
    if len(text) > limit:
        return text, f"{label}不能超过{limit}个字"
    found = invisible_character(text)
    if found is not None:
        return text, f"{label}含有换行或不可见的控制字符（U+{ord(found):04X}），请删除"
    return text, None


def check_forwarding(
    raw: ForwardInput,
    *,
    children: list[Bureau],
    directive_number: str,
    directive_issued: date,
    today: date,
) -> Checked:
    """The forwarding the form describes, or every problem with it by field."""
    errors: dict[str, str] = {}
    number, problem = _line(raw.document_number, "发文字号", NUMBER_MAX)
    if problem is None and not NUMBER.match(number):
        problem = "发文字号应写作“机关代字〔年份〕序号号”，如“某局发〔2007〕12号”"
    if problem is None and number == directive_number:
        problem = "这是所转发通知的发文字号，请填写你单位自己的发文字号"
    if problem:
        errors["document_number"] = problem
    title, problem = _line(raw.title, "标题", TITLE_MAX)
    if problem:
        errors["title"] = problem
    added = paragraphs(raw.requirements)
    too_long = next((i for i, p in enumerate(added, 1) if len(p) > PARAGRAPH_MAX), None)
    hidden = next((p for p in added if invisible_character(p.replace("\t", " "))), None)
    if sum(map(len, added)) > REQUIREMENTS_MAX:
        errors["requirements"] = f"增加的要求合计不能超过{REQUIREMENTS_MAX}个字"
    elif too_long is not None:
        errors["requirements"] = f"增加的要求第{too_long}段超过{PARAGRAPH_MAX}个字，请分段"
    elif hidden is not None:
        errors["requirements"] = "增加的要求含有不可见的控制字符，请删除"
    issued_on = today
    if raw.issued_on.strip():
        try:
            issued_on = date.fromisoformat(raw.issued_on.strip())
        except ValueError:
            errors["issued_on"] = "成文日期应写作“年-月-日”，如“2007-08-30”"
    if "issued_on" not in errors and issued_on > today:
        errors["issued_on"] = "成文日期不能晚于今天（通知不能在成文之前发出）"
    elif "issued_on" not in errors and issued_on < directive_issued:
        errors["issued_on"] = "成文日期不能早于所转发通知的成文日期"
    by_code = {b.code: b for b in children}
    chosen = sorted(set(raw.recipients))
    unknown = [c for c in chosen if c not in by_code]
    if not chosen:
        errors["recipients"] = "请至少选择一个主送单位"
    elif unknown:
        errors["recipients"] = f"主送单位只能是你单位的下级单位：{'、'.join(unknown)}不是"
    if errors:
        return Checked(None, errors)
    return Checked(
        Forwarding(
            document_number=number,
            title=title,
            requirements=added,
            issued_on=issued_on,
            recipients=[by_code[c] for c in chosen],
        ),
        {},
    )

"""A unit's 通知 forwarding a directive, as an official document in the directives' layout
(GB/T 9704: campaign.documents). The unit issues it: its name as 发文机关, its 发文字号;
the words around the unit's own requirements come from templates/documents/forward_*.txt
(a plan's templates_dir may replace them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from campaign.documents.directive import Directive, parse_blocks
from campaign.documents.official import Block
from campaign.templating import get_environment
from models.bureau import Bureau

TITLE_TEMPLATE = "documents/forward_title.txt"
BODY_TEMPLATE = "documents/forward_body.txt"


@dataclass(frozen=True)
class Forwarding:
    """What the unit writes: its 发文字号, 标题, 增加的要求 (paragraphs), 成文日期, 主送."""

    document_number: str
    title: str
    requirements: list[str]
    issued_on: date
    recipients: list[Bureau]


def quoted(title: str) -> str:
    """A title inside 《》: its own 《》 become 〈〉 (nested book-title marks)."""
    return title.replace("《", "〈").replace("》", "〉")


def _context(issuer: str, directive: Directive) -> dict[str, object]:
    title = directive.title
    shown_issuer = "" if title.startswith(issuer) else issuer
    return {"issuer": shown_issuer, "quoted": quoted(title), "directive": directive}


def default_title(*, issuer: str, directive: Directive, plan_templates: Path | None = None) -> str:
    """转发…的通知, built from the forwarded directive's title."""
    template = get_environment(plan_templates).get_template(TITLE_TEMPLATE)
    return template.render(**_context(issuer, directive)).strip()


def recipients_line(chosen: list[Bureau], every: list[Bureau], addressees: dict[str, str]) -> str:
    """主送: the plan's words for the units of a level when all of them are addressed,
    else their names."""
    levels = {str(b.level) for b in every}
    if chosen and len(chosen) == len(every) and len(levels) == 1:
        words = addressees.get(levels.pop())
        if words:
            return words
    return "、".join(b.name for b in chosen)


def forward_notice(
    *,
    unit: Bureau,
    directive: Directive,
    issuer: str,
    forwarding: Forwarding,
    recipients: str,
    acknowledge_by: date | None,
    plan_templates: Path | None = None,
) -> Directive:
    """The unit's 通知: the forwarding sentence, its requirements, 附件 the directive."""
    template = get_environment(plan_templates).get_template(BODY_TEMPLATE)
    text = template.render(
        **_context(issuer, directive),
        unit=unit,
        requirements=forwarding.requirements,
        acknowledge_by=acknowledge_by,
    )
    blocks = parse_blocks(text) + [Block("paragraph", p) for p in forwarding.requirements]
    return Directive(
        authority_mark=f"{unit.name}文件",
        document_number=forwarding.document_number,
        title=forwarding.title,
        recipients=recipients,
        blocks=blocks,
        signature=unit.name,
        issued_on=forwarding.issued_on,
        printed_by=unit.name,
        printed_on=forwarding.issued_on,
        attached=[directive.title],
        acknowledge_by=acknowledge_by,
    )

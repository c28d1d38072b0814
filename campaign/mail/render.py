"""Render a notice's three templates (subject, plain text, HTML) with the one environment.

Templates are templates/email/{name}.subject.txt, {name}.txt and {name}.html. A plan with
`templates_dir` may bring its own email/{name}.* files; they take precedence. Rendering
is strict (StrictUndefined): a missing value raises MailRefused, nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateError

from campaign.mail.addresses import header_text
from campaign.mail.errors import MailRefused
from campaign.plan.schema import Plan
from campaign.templating import get_environment
from models.campaign import Campaign

SUBJECT_MAX = 500  # characters; the outbox's subject column holds as many
ELLIPSIS = "…"


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    text: str
    html: str


def plan_templates_dir(*, campaign: Campaign, plan: Plan) -> Path | None:
    """The plan's own templates folder, relative to the plan file it was launched from."""
    if not plan.templates_dir:
        return None
    base = Path(campaign.plan_source).parent if campaign.plan_source else Path.cwd()
    return (base / plan.templates_dir).resolve()


def shorten(text: str, limit: int) -> str:
    """text if it has at most limit characters, else its first limit - 1 and "…". A subject
    carries what a bureau typed (an ad-hoc report's category, up to the form's 2000
    characters); it is shortened here, the one place, and never refused for its length."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


_PARTS = (("subject", "subject.txt"), ("text", "txt"), ("html", "html"))
_FAILURES = (TemplateError, ArithmeticError, AttributeError, LookupError, TypeError, ValueError)


class Renderer:
    """A notice's three templates, looked up once, for rendering it to many bureaus."""

    def __init__(self, *, template: str, plan_templates: Path | None = None) -> None:
        env = get_environment(plan_templates)
        self.template = template
        self.parts: list[tuple[str, str, Template | None, MailRefused | None]] = []
        for part, suffix in _PARTS:
            name = f"email/{template}.{suffix}"
            try:
                self.parts.append((part, name, env.get_template(name), None))
            except TemplateError as exc:  # refused when rendered, as before: per message
                self.parts.append((part, name, None, _refused(name, exc)))

    def render(self, context: Mapping[str, Any]) -> RenderedNotice:
        parts = {}
        for part, name, compiled, error in self.parts:
            if error is not None:
                raise error
            assert compiled is not None
            try:
                parts[part] = compiled.render(context)
            except _FAILURES as exc:
                # A filter failing on a value (cn_date of None) is the template failing:
                # refused like a missing variable, never an exception that ends the tick.
                raise _refused(name, exc) from exc
        subject = header_text(parts["subject"].strip(), what="the subject")
        if not subject:
            raise MailRefused(
                f"template email/{self.template}.subject.txt rendered an empty subject"
            )
        subject = shorten(subject, SUBJECT_MAX)
        if not parts["text"].strip() or not parts["html"].strip():
            raise MailRefused(f"template email/{self.template} rendered an empty body")
        return RenderedNotice(subject=subject, text=parts["text"], html=parts["html"])


def render_notice(
    *, template: str, context: Mapping[str, Any], plan_templates: Path | None = None
) -> RenderedNotice:
    return Renderer(template=template, plan_templates=plan_templates).render(context)


def _refused(name: str, exc: Exception) -> MailRefused:
    return MailRefused(f"template {name} failed: {exc.__class__.__name__}: {exc}")

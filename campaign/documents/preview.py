"""The directive as HTML, for preview (`campaign outbox preview`, the web app)."""

from __future__ import annotations

from pathlib import Path

from campaign.documents.directive import Directive
from campaign.templating import get_environment

TEMPLATE = "documents/directive.html"


def directive_html(directive: Directive, *, plan_templates: Path | None = None) -> str:
    """A standalone HTML page laid out like the printed directive (A4, red head, 版记)."""
    template = get_environment(plan_templates).get_template(TEMPLATE)
    return template.render(d=directive)

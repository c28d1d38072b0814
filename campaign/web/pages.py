"""Rendering pages from templates/web/ with the one Jinja2 environment."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse

from campaign.templating import get_environment

REFUSED_TITLE = "链接无效"


def render_text(template: str, **context: Any) -> str:
    return get_environment().get_template(f"web/{template}").render(**context)


def page(template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render_text(template, **context), status_code=status)


def refused() -> HTMLResponse:
    """The one answer to a forged, expired or revoked token: the same status and body."""
    return page("refused.html", status=404, title=REFUSED_TITLE)


def error_page(title: str, message: str, *, status: int) -> HTMLResponse:
    return page("error.html", status=status, title=title, message=message)

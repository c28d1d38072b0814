"""The one Jinja2 environment: autoescape for HTML, StrictUndefined so a missing value fails.

A plan may bring templates of its own (templates_dir); they take precedence over the
product's. Each distinct set of folders gets one environment, built once.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

CN_DIGITS = "○一二三四五六七八九"


def cn_date(value: date | datetime) -> str:
    """2007年8月27日."""
    return f"{value.year}年{value.month}月{value.day}日"


def cn_md(value: date | datetime) -> str:
    """8月27日."""
    return f"{value.month}月{value.day}日"


@pass_context
def cn_md_in_plan(context: Context, value: date | datetime) -> str:
    """The `cn_md` filter: 8月27日, with the year (2009年12月28日) when the `plan` of the
    template's context spans years, so that no reader mistakes the year."""
    plan = context.get("plan")
    return cn_date(value) if getattr(plan, "spans_years", False) else cn_md(value)


def cn_upper_date(value: date | datetime) -> str:
    """二○○七年八月二十七日, the 成文日期 style of the shared plan."""

    def number(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")

    year = "".join(CN_DIGITS[int(d)] for d in str(value.year))
    return f"{year}年{number(value.month)}月{number(value.day)}日"


@lru_cache(maxsize=32)
def get_environment(plan_templates: Path | None = None) -> Environment:
    folders = [str(plan_templates)] if plan_templates else []
    folders.append(str(TEMPLATES_DIR))
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(folder) for folder in folders]),
        autoescape=select_autoescape(["html", "htm", "xml"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates are part of the release: no stat() per render
    )
    env.filters.update(cn_date=cn_date, cn_md=cn_md_in_plan, cn_upper_date=cn_upper_date)
    return env

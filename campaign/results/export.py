"""Every accepted figure of a campaign as one long table (.xlsx): `campaign export`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from campaign.results.cells import Book, blank
from campaign.results.figures import ACCEPTED
from campaign.results.load import Frames

HEAD = ("单位", "报送事项", "报告期", "期末日期", "指标", "口径", "数值", "计量单位", "文字内容")


def accepted_figures(frames: Frames) -> pd.DataFrame:
    """One row per accepted figure or text: unit name, duty, period, field, value; units in
    registry order, periods in date order, fields in form order."""
    plan = frames.plan
    accepted = frames.answers[frames.answers["review_status"] == ACCEPTED][["request_id"]]
    requests = frames.requests.merge(accepted, on="request_id")
    numbers = frames.values.assign(text=None)
    texts = frames.texts.rename(columns={"value": "text"}).assign(value=None)
    long = pd.concat([numbers, texts], ignore_index=True).merge(requests, on="request_id")
    long = long.merge(frames.units[["code", "name", "order"]], left_on="unit", right_on="code")
    fields: dict[str, tuple[int, str, str, str, str]] = {}
    for form in plan.forms:
        for i, f in enumerate(form.fields):
            fields.setdefault(f.key, (i, f.label, f.unit, f.accumulation, f.type))
    duty_names = {d.key: d.name for d in plan.duties}
    long["position"] = long["field"].map(lambda k: fields[k][0] if k in fields else 999)
    long["label"] = long["field"].map(lambda k: fields[k][1] if k in fields else k)
    long["unit_of_measure"] = long["field"].map(lambda k: fields[k][2] if k in fields else "")
    long["basis"] = long["field"].map(
        lambda k: ("累计" if fields[k][3] == "cumulative" else "当期") if k in fields else ""
    )
    long["duty"] = long["duty_key"].map(duty_names).fillna(long["duty_key"])
    return long.sort_values(["order", "period_end", "duty_key", "position"], kind="stable")


def write_export(frames: Frames, path: Path) -> int:
    """Write the table; returns the number of figures written."""
    table = accepted_figures(frames)
    with Book(path) as book:
        _write(book, table)
    return len(table)


def _write(book: Book, table: pd.DataFrame) -> None:
    ws = book.sheet("全部数据")
    for i, text in enumerate(HEAD, 1):
        ws.text(1, i, text)
    for row, r in enumerate(table.to_dict("records"), 2):
        end = r["period_end"]
        cells = [
            r["name"],
            r["duty"],
            r["period_label"],
            end.isoformat() if end is not None and not pd.isna(end) else "",
            r["label"],
            r["basis"],
            r["value"],
            r["unit_of_measure"],
            r["text"] or "",
        ]
        for i, value in enumerate(cells, 1):
            if not blank(value):
                ws.value(row, i, float(value) if i == 7 else value)

"""Charts of compiled results as PNG (matplotlib, Agg), in a CJK font: never boxes.

The font is Noto Sans CJK (Debian fonts-noto-cjk, installed by scripts/setup.sh
--system). Without it no chart is drawn: `CJKFontMissing` says what to install.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from campaign.results.compile import Compiled  # noqa: E402
from campaign.results.targets import MET, NO_DATA, NO_DENOMINATOR, NOT_MET  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans SC")
MAX_UNIT_LINES = 10
DPI = 110


class CJKFontMissing(RuntimeError):
    pass


@cache
def cjk_font() -> str:
    """The family name of an installed CJK font matplotlib can use."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise CJKFontMissing(
        "未找到中文字体（Noto Sans CJK），无法绘制图表。请安装 fonts-noto-cjk"
        "（scripts/setup.sh --system）。"
    )


def write_charts(compiled: Compiled, out: Path) -> list[Path]:
    """The reporting rate by period, a key metric's trend, the targets met: PNG files."""
    family = cjk_font()
    out.mkdir(parents=True, exist_ok=True)
    with plt.rc_context({"font.family": family, "axes.unicode_minus": False}):
        return [
            _reporting_rate(compiled, out / "报送率.png"),
            _trend(compiled, out / "主要指标趋势.png"),
            _targets(compiled, out / "目标完成情况.png"),
        ]


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _reporting_rate(compiled: Compiled, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    periods = compiled.completeness_period
    if len(periods):
        labels = periods["period_label"].astype(str).tolist()
        rates = periods["reporting_rate"].fillna(0).tolist()
        on_time = periods["on_time_rate"].fillna(0).tolist()
        x = range(len(labels))
        ax.bar(x, rates, color="#4472C4", label="报送率")
        ax.plot(x, on_time, color="#C00000", marker="o", label="按时报送率")
        ax.set_xticks(list(x), labels, rotation=45 if len(labels) > 6 else 0, ha="right")
        ax.set_ylim(0, 105)
        ax.legend()
    else:
        _empty(ax, "本阶段没有应报的报告")
    ax.set_title(f"{compiled.stage_name}：各期报送率（%）")
    return _save(fig, path)


def _trend(compiled: Compiled, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    lead = compiled.figures.get(compiled.main_form or "")
    field = key_field(compiled)
    if lead is None or field is None or lead.by_period.empty:
        _empty(ax, "本阶段没有已审核通过的数据")
        ax.set_title(f"{compiled.stage_name}：主要指标趋势")
        return _save(fig, path)
    label = next(f.label for f in lead.fields if f.key == field)
    table = lead.by_period.pivot_table(
        index="period_end", columns="unit", values=field, aggfunc="last"
    )
    periods = lead.by_period.drop_duplicates("period_end").set_index("period_end")["period_label"]
    names = dict(zip(compiled.units["code"], compiled.units["name"], strict=True))
    shown = [c for c in compiled.units["code"] if c in table.columns][:MAX_UNIT_LINES]
    x = range(len(table.index))
    for code in shown:
        ax.plot(x, table[code].tolist(), marker="o", label=names[code])
    ax.set_xticks(
        list(x),
        [str(periods[d]) for d in table.index],
        rotation=45 if len(x) > 6 else 0,
        ha="right",
    )
    more = len([c for c in table.columns]) - len(shown)
    ax.set_title(
        f"{compiled.stage_name}：{label}（各单位）"
        + (f"，另有{more}个单位未画出" if more > 0 else "")
    )
    ax.legend(fontsize=8, ncol=2)
    return _save(fig, path)


def key_field(compiled: Compiled) -> str | None:
    """The lead form's first numeric field."""
    lead = compiled.figures.get(compiled.main_form or "")
    return lead.fields[0].key if lead is not None and lead.fields else None


def _targets(compiled: Compiled, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    per_unit = compiled.targets_unit
    if per_unit.empty:
        _empty(ax, "方案未设定量化目标")
    else:
        counts = (
            per_unit.groupby(["target_name", "status"], sort=False).size().unstack(fill_value=0)
        )
        names = per_unit["target_name"].drop_duplicates().tolist()
        left = [0] * len(names)
        colors = {MET: "#70AD47", NOT_MET: "#C00000", NO_DENOMINATOR: "#FFC000", NO_DATA: "#A5A5A5"}
        for status, color in colors.items():
            if status not in counts.columns:
                continue
            widths = [int(counts.at[n, status]) for n in names]
            ax.barh(names, widths, left=left, color=color, label=status)
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.invert_yaxis()
        ax.set_xlabel("单位数")
        ax.legend(fontsize=8)
    ax.set_title(f"{compiled.stage_name}：各目标达标单位数")
    return _save(fig, path)


def _empty(ax: plt.Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=14)
    ax.set_axis_off()

"""What a simulation shows its reader: a progress bar while it runs, an account at the end."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from campaign.documents.summary_docx import judged_by_units, target_verdict

if TYPE_CHECKING:
    from campaign.demo.run import DemoResult

OUTCOME_NAMES = {
    "on time": "按时报送",
    "late": "逾期报送",
    "acknowledged": "签收",
    "invalid": "填报有误被拒收后更正",
    "returned": "被退回后重新报送",
    "xlsx": "以统计表上传",
    "by e-mail": "以回复邮件报送",
    "missing": "始终未报",
}


class Progress:
    """A bar on stderr redrawn in place on a terminal; plain lines (every tenth) otherwise."""

    WIDTH = 30

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.total = self.done = 0
        self.started = time.monotonic()

    def start(self, total: int) -> None:
        self.total, self.done, self.started = max(total, 1), 0, time.monotonic()

    def advance(self, label: str) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        line = f"{self.done}/{self.total} 次巡检 {label}，已用 {elapsed:.0f} 秒"
        if self.tty:
            filled = self.WIDTH * self.done // self.total
            bar = "█" * filled + "░" * (self.WIDTH - filled)
            self.stream.write(f"\r[{bar}] {line}\033[K")
        elif self.done == self.total or self.done % max(self.total // 10, 1) == 0:
            self.stream.write(f"进度 {line}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


MAIL_STATES = {"sent": "已发送", "failed": "发送失败", "pending": "待发送", "sending": "发送中"}


def outcome_table(result: DemoResult) -> list[tuple[str, int]]:
    """The counts of what the bureaus did, in a fixed order (the same seed, the same table)."""
    return [(OUTCOME_NAMES[k], result.answers[k]) for k in OUTCOME_NAMES]


def describe(result: DemoResult, data_dir: Path) -> list[str]:
    """What the simulation did, for the coordinator reading the terminal."""
    status = {"completed": "已完成", "active": "进行中"}.get(result.status, result.status)
    lines = [
        "",
        f"工作方案 {result.campaign_id}（{result.document_number}）：{status}；"
        f"模拟单位 {result.units} 个，巡检 {result.ticks} 次，办理 {result.actions} 项",
        "报送情况：" + "，".join(f"{name} {n} 份" for name, n in outcome_table(result)),
        "邮件："
        + "，".join(f"{MAIL_STATES.get(k, k)} {v} 封" for k, v in sorted(result.mail.items()))
        + "；"
        f"{data_dir / 'maildir'} 中共 {result.maildir_messages} 封",
        "",
        "检查验收（对照实施方案的目标）：",
    ]
    names = result.unit_names
    for t in result.targets:
        words = {
            **t,
            "value_text": f"{t['value']}{t['unit']}" if t["value"] is not None else None,
            "no_value": "尚无数据",
            "requirement": _requirement(t),
            "by_units": judged_by_units(t),
            "failing": [names.get(c, c) for c in t["failing"]],
            "missing": [names.get(c, c) for c in t["missing"]],
        }
        lines.append(f"  {t['name']}：{target_verdict(words)}")
    if result.outputs:
        lines += ["", f"汇总材料（{data_dir / 'results'}）："]
        lines += [f"  {path.relative_to(data_dir)}" for path in result.outputs]
    lines += [
        "",
        "进一步查看：",
        f"  export CAMPAIGN_DATA_DIR={data_dir}",
        f"  .venv/bin/campaign status {result.campaign_id} --as-of {result.last_day}",
        f"  .venv/bin/campaign log {result.campaign_id} --bureau {result.sample_bureau}",
        "  .venv/bin/campaign outbox list | head",
    ]
    return lines


def _requirement(t: dict[str, Any]) -> str:
    """The target's requirement in words; summaries stored before it was kept: built."""
    return str(t.get("requirement") or f"{t['comparator']} {t['threshold']}{t['unit']}")

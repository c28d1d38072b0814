"""An official document (公文) as plain data: what GB/T 9704-2012 lays out on paper.

The directive (通知) is one; the phase summaries and 通报 are others. Writers (the .docx
in gbt9704.py, the HTML preview) render this description and nothing else, so every
document the campaign sends is laid out the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

BlockKind = Literal["heading1", "heading2", "paragraph", "item"]


@dataclass(frozen=True)
class Block:
    """One paragraph of the body; `lead` is the bold run of a numbered item (三级标题)."""

    kind: BlockKind
    text: str
    lead: str = ""


@dataclass(frozen=True)
class Appendix:
    """附件: a title and a table (a header row, then rows), after the main text."""

    number: int
    title: str
    rows: list[tuple[str, ...]]
    header: tuple[str, ...] = ("序号", "指标名称", "计量单位", "填报说明")
    preamble: str = ""  # a line between the title and the table, e.g. 填报单位（盖章）：
    widths_mm: tuple[float, ...] = ()  # column widths; default: spread over the text width


@dataclass(frozen=True)
class OfficialDocument:
    """The parts of a 公文 (GB/T 9704-2012): 版头, 主体, 版记.

    `document_number` may be empty (a document without 发文字号); `cc` may be empty.
    """

    authority_mark: str  # 发文机关标志, e.g. 某某省市场监督管理局文件
    document_number: str  # 发文字号
    title: str
    recipients: str  # 主送机关
    blocks: list[Block]
    signature: str  # 发文机关署名
    issued_on: date  # 成文日期
    printed_by: str  # 印发机关
    printed_on: date  # 印发日期
    cc: list[str] = field(default_factory=list)  # 抄送机关
    appendices: list[Appendix] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)  # 附件 sent as files of their own

    @property
    def attachment_names(self) -> list[str]:
        """What the 附件说明 names: the appendices laid out after the text, then the
        documents attached as files of their own (a forwarded 通知)."""
        return [a.title for a in self.appendices] + list(self.attached)

    def attachment_label(self, number: int) -> str:
        """The label of an attachment, as the 附件 line and the body refer to it."""
        return attachment_label(number, len(self.appendices))


def attachment_label(number: int, count: int) -> str:
    """附件 when a document has one attachment, 附件1, 附件2 … when it has several."""
    return "附件" if count == 1 else f"附件{number}"

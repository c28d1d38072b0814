"""The .docx as LibreOffice lays it out: converted to PDF, its lines and pages measured.

GB/T 9704-2012: 22 lines of 28 characters of 3号仿宋 a page, the 发文机关标志 on one line,
the 版记 at the foot of the last page. The text of each PDF page comes from pdftotext
-layout; a character of the body counts 1, a digit or Latin letter ½.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from campaign.documents import Block, OfficialDocument, build_directive, official_docx
from campaign.documents.directive_docx import directive_docx
from campaign.plan import load_plan
from campaign.schedule import build_schedule

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILLER = "质量安全监督检查工作落实情况"  # no punctuation: lines break at exactly 28


def to_pages(soffice: str, docx: bytes, folder: Path) -> list[list[str]]:
    """The lines of each page of the PDF LibreOffice makes of the .docx, spaces removed."""
    source = folder / "document.docx"
    source.write_bytes(docx)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / "document.pdf"), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [[line.replace(" ", "") for line in page.splitlines()] for page in pages]


def bottom_of(pdf: Path, page: int, word: str) -> float:
    """How far down the page (pt) the last word containing `word` ends (pdftotext -bbox)."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    found = re.findall(rf'yMax="([0-9.]+)">[^<]*{word}[^<]*</word>', boxes)
    return float(found[-1])


def width(line: str) -> float:
    """Characters of the line, a half-width digit or letter counting ½."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in line)


def body(page: list[str]) -> list[str]:
    """The page's non-empty lines without its page number (— n —)."""
    return [line for line in page if line and not line.startswith("—")]


def test_a_page_holds_22_lines_of_28_characters(libreoffice: str, tmp_path: Path) -> None:
    paragraph = (FILLER * 8)[:100]  # 26 after the two-character indent, 28, 28, 18
    document = OfficialDocument(
        authority_mark="某某省某某局文件",
        document_number="某发〔2026〕1号",
        title="关于测试版面的通知",
        recipients="各单位",
        blocks=[Block("paragraph", paragraph) for _ in range(12)],
        signature="某某省某某局",
        issued_on=date(2026, 3, 2),
        printed_by="某某省某某局办公室",
        printed_on=date(2026, 3, 2),
    )
    pages = to_pages(libreoffice, official_docx(document), tmp_path)
    filler_lines = [line for page in pages for line in body(page) if set(line) <= set(FILLER)]
    assert [len(line) for line in filler_lines] == [26, 28, 28, 18] * 12
    assert len(body(pages[1])) == 22  # a page of body text: 22 lines
    assert body(pages[0])[0] == "某某省某某局文件"


PAGES = {  # body, signature, then one page or two for each 附件
    ("hubei-2007", "directive:mobilization"): 10,
    ("ebike-2026", "directive:deployment"): 3,
    ("ebike-2026", "directive:rectification"): 6,
    ("ebike-2026", "directive:review"): 3,
}


@pytest.mark.parametrize(("plan_name", "key"), list(PAGES), ids="/".join)
def test_directives_as_libreoffice_lays_them_out(
    libreoffice: str, tmp_path: Path, plan_name: str, key: str
) -> None:
    plan = load_plan(EXAMPLES / f"{plan_name}.yaml")
    event = next(e for e in build_schedule(plan) if e.key == key)
    directive = build_directive(plan=plan, event=event)
    pages = to_pages(libreoffice, directive_docx(directive), tmp_path)
    assert len(pages) == PAGES[(plan_name, key)]
    assert body(pages[0])[0] == f"{plan.issuing_authority}文件"  # 发文机关标志 on one line
    assert body(pages[0])[1] == directive.document_number
    widths = [width(line) for page in pages for line in body(page)]
    assert max(widths) <= 28.5, widths  # never more than 28 characters a line
    # lines longer than a first line (indented two characters): full lines, of 28
    full = Counter(round(w) for w in widths if w > 26)
    assert full[28] >= 1 and full[28] >= sum(full.values()) / 3, full
    last = body(pages[-1])
    assert last[-2].startswith("抄送：") and last[-1].endswith("印发")  # 版记, last page
    text_bottom = (297 - 35) / 25.4 * 72  # the 版记's last line ends on the text block's
    assert abs(bottom_of(tmp_path / "document.pdf", len(pages), "印发") - text_bottom) < 4


@pytest.mark.parametrize(
    "mark", ["某某省市场监督管理局文件", "某某省质量技术监督局某某省财政厅文件"]
)
def test_the_authority_mark_keeps_to_one_line(libreoffice: str, tmp_path: Path, mark: str) -> None:
    document = OfficialDocument(
        authority_mark=mark,
        document_number="",
        title="关于测试版面的通知",
        recipients="各单位",
        blocks=[Block("paragraph", FILLER)],
        signature="某某省某某局",
        issued_on=date(2026, 3, 2),
        printed_by="某某省某某局办公室",
        printed_on=date(2026, 3, 2),
    )
    pages = to_pages(libreoffice, official_docx(document), tmp_path)
    assert body(pages[0])[0] == mark

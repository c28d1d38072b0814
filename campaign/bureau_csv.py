"""Reading a bureau CSV: its encoding, its header and each row's fields (no database).

Every problem is collected with its line and column; the registry module adds the checks
across rows and against the stored tree, and stores nothing unless the whole file is right.
Messages are Chinese: they reach the coordinator who prepared the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from models.bureau import EDGE_SPACES, BureauCreate, BureauLevel, UnitKind, normalize_key

BUREAU_COLUMNS = ("code", "name", "parent_code", "level", "email", "contact", "phone")
UNIT_COLUMNS = ("kind", "government_code", "groups")
"""Optional: a file without them holds bureaus only, in no group (the Hubei registry)."""
COLUMNS = (*BUREAU_COLUMNS, *UNIT_COLUMNS)
REQUIRED_COLUMNS = ("code", "name", "parent_code", "email")
LEVEL_NAMES = {BureauLevel.province: "省级", BureauLevel.city: "市级", BureauLevel.county: "县级"}
KIND_NAMES = {
    UnitKind.bureau: "局",
    UnitKind.government: "人民政府",
    UnitKind.department: "政府部门",
    UnitKind.division: "处室",
    UnitKind.affiliate: "直属单位",
}
GROUP_SEPARATORS = ";；、, "


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"第{self.line}行" + (f"，{self.column}列" if self.column else "")
        return f"{where}：{self.message}"


class BureauImportError(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.line)  # stable: fields, then rows
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class BureauRow:
    """One row: its keys (normalised, even when another field is wrong) and, when every
    field is right, the bureau (level still to derive when the file leaves it empty)."""

    line: int
    code: str
    parent_code: str | None
    level: BureauLevel | None  # None: left empty (derive_level) or not a level
    derive_level: bool
    bureau: BureauCreate | None
    kind: UnitKind | None = UnitKind.bureau  # None: not a kind (reported)
    government_code: str | None = None
    absent: frozenset[str] = frozenset()  # UNIT_COLUMNS the file lacks: stored values stay


def level_label(level: BureauLevel | str) -> str:
    return f"{LEVEL_NAMES[BureauLevel(level)]}（{BureauLevel(level).value}）"


def kind_label(kind: UnitKind | str) -> str:
    return f"{KIND_NAMES[UnitKind(kind)]}（{UnitKind(kind).value}）"


def split_groups(text: str) -> list[str]:
    """The group keys of a `groups` cell: separated by ';', '；', '、', ',' or spaces."""
    for separator in GROUP_SEPARATORS[1:]:
        text = text.replace(separator, GROUP_SEPARATORS[0])
    return [normalize_key(part) for part in text.split(GROUP_SEPARATORS[0]) if part.strip()]


# Encoding ------------------------------------------------------------------------------------


def decode_csv(raw: bytes) -> str:
    """CSV text as saved by a text editor (UTF-8, with or without BOM) or by Excel on a
    Chinese system (GB18030). A file mixing both (rows pasted from two sources) is refused,
    naming its first line in the other encoding: decoded whole, one half would be garbled."""
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8) :] if bom else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = body.split(b"\n")
    texts = [(n, _as_utf8(line)) for n, line in enumerate(lines, 1) if not line.isascii()]
    first_utf8 = 1 if bom else next((n for n, t in texts if t and _looks_chinese(t)), None)
    first_other = next((n for n, t in texts if t is None), None)
    if first_utf8 is not None and first_other is not None:
        if first_utf8 < first_other:
            where, what = first_other, f"不是UTF-8编码，而第{first_utf8}行是UTF-8编码"
        else:
            where, what = first_utf8, f"是UTF-8编码，而第{first_other}行是GB18030编码"
        raise BureauImportError(
            [
                RowProblem(
                    where,
                    None,
                    f"{what}：文件混用了两种编码，整体导入会使部分单位名称变成乱码。"
                    "请在Excel或文本编辑器中将全文另存为同一种编码（UTF-8或GB18030）后重新导入",
                )
            ]
        )
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise BureauImportError(
            [RowProblem(line, None, "文件既不是UTF-8也不是GB18030编码的文本，无法读取")]
        ) from None


def _as_utf8(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _looks_chinese(text: str) -> bool:
    """Whether a line valid as UTF-8 is UTF-8 text: its non-ASCII characters are CJK,
    full-width or common punctuation. A GB18030 line that happens to be valid UTF-8 (short
    ones can be) decodes to Latin, Greek or rare symbols instead."""
    return all(
        c.isascii()
        or unicodedata.east_asian_width(c) in "WF"
        or "\u2000" <= c <= "\u206f"
        or c == "\u00b7"
        for c in text
    )


# Rows ----------------------------------------------------------------------------------------


def parse_bureau_csv(text: str) -> tuple[list[BureauRow], list[RowProblem]]:
    """Each row with its line number, and every field problem of every row.

    Raises BureauImportError when the file cannot be read as a table at all (header)."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip(EDGE_SPACES) for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise BureauImportError([RowProblem(1, None, f"表头无法读取（{exc}）")]) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    repeated = sorted({c for c in header if header.count(c) > 1})
    unknown = [c for c in header if c not in COLUMNS]
    problems = []
    if missing:
        problems.append(RowProblem(1, None, f"缺少必需的列：{', '.join(missing)}"))
    if unknown:
        problems.append(
            RowProblem(
                1, None, f"有无法识别的列：{', '.join(unknown)}（可用的列：{', '.join(COLUMNS)}）"
            )
        )
    if repeated:
        problems.append(RowProblem(1, None, f"列名重复：{', '.join(repeated)}"))
    if problems:
        raise BureauImportError(problems)
    rows: list[BureauRow] = []
    ended = 1
    while True:
        line = ended + 1  # a quoted record may span several lines
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BureauImportError(
                [*problems, RowProblem(reader.line_num, None, f"无法按CSV格式读取（{exc}）")]
            ) from None
        ended = reader.line_num
        extra = record.pop(None, None)
        values = {k.strip(EDGE_SPACES): v or "" for k, v in record.items()}
        if not any(v.strip(EDGE_SPACES) for v in values.values()) and not extra:
            continue
        if extra and any(str(v).strip() for v in extra):
            problems.append(
                RowProblem(
                    line,
                    None,
                    f"字段数多于表头的{len(header)}列；名称等字段中含有逗号时须用英文双引号括起",
                )
            )
        rows.append(_row(line, values, problems))
    if not rows and not problems:
        problems.append(RowProblem(1, None, "文件中没有单位数据"))
    return rows, problems


def _row(line: int, values: dict[str, str], problems: list[RowProblem]) -> BureauRow:
    code = normalize_key(values.get("code", ""))
    parent = normalize_key(values.get("parent_code", "")) or None
    level_text = normalize_key(values.get("level", "")).lower()
    level = BureauLevel(level_text) if level_text in BureauLevel.__members__ else None
    if level_text and level is None:
        problems.append(
            RowProblem(
                line,
                "level",
                f"“{values['level'].strip()}”不是有效的层级，应为province、city或county（也可留空，"
                "按上级推定）",
            )
        )
    kind_text = normalize_key(values.get("kind", "")).lower() or UnitKind.bureau.value
    kind = UnitKind(kind_text) if kind_text in UnitKind.__members__ else None
    if kind is None:
        problems.append(
            RowProblem(
                line,
                "kind",
                f"“{values['kind'].strip()}”不是有效的单位类别，应为"
                + "、".join(kind_label(k) for k in UnitKind)
                + "之一（留空为局）",
            )
        )
    government = normalize_key(values.get("government_code", "")) or None
    data: dict[str, object] = {
        k: v for k, v in values.items() if k in COLUMNS and k not in UNIT_COLUMNS
    }
    data["parent_code"] = parent
    data["government_code"] = government
    data["groups"] = split_groups(values.get("groups", ""))
    data["kind"] = (kind or UnitKind.bureau).value
    data["level"] = (level or BureauLevel.province).value  # derived later when left empty
    try:
        bureau: BureauCreate | None = BureauCreate.model_validate(data)
    except ValidationError as exc:
        bureau = None
        problems.extend(RowProblem(line, _column(e), _message(e)) for e in exc.errors())
    valid = (level or not level_text) and kind is not None
    absent = frozenset(c for c in UNIT_COLUMNS if c not in values)
    return BureauRow(
        line,
        code,
        parent,
        level,
        not level_text,
        bureau if valid else None,
        kind,
        government,
        absent,
    )


def _column(error: ErrorDetails) -> str | None:
    return str(error["loc"][0]) if error["loc"] else None


def _message(error: ErrorDetails) -> str:
    context = error.get("ctx") or {}
    if error["type"] == "string_too_long":
        return f"不能超过{context.get('max_length')}个字符"
    if error["type"] == "missing":
        return "不能为空"
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return f"内容无效（{error['msg']}）"

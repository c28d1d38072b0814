"""The bureau registry: CSV import, all or nothing, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from campaign.bureaus import BureauImportError, as_unit, import_bureau_csv
from campaign.plan.units import Registry, resolve_units, selector
from models.bureau import Bureau

HEADER = "code,name,parent_code,level,email,contact,phone\n"
PROVINCE = "42,省局,,,a@x.example.org,,\n"
EXAMPLE = (Path(__file__).resolve().parent.parent / "examples" / "bureaus-hubei.csv").read_bytes()


def chosen(session: Session, root: str, written: object) -> list[Bureau]:
    """The bureaus a plan's selector (as written in YAML) chooses below root."""
    registry = Registry.of(map(as_unit, session.exec(select(Bureau))), root=root)
    return [session.get(Bureau, u.code) for u in resolve_units(selector(written), registry)]


def count(session: Session) -> int:
    return len(session.exec(select(Bureau)).all())


def test_example_registry_has_the_province_and_17_units(session: Session) -> None:
    summary = import_bureau_csv(session=session, raw=EXAMPLE)
    session.commit()
    assert (summary.created, summary.updated) == (18, 0)
    cities = chosen(session, "420000", "city")
    assert len(cities) == 17
    assert {b.name for b in cities} >= {
        "武汉市质量技术监督局",
        "神农架林区质量技术监督局",
        "仙桃市质量技术监督局",
    }
    assert all(b.email.endswith(".example.org") for b in cities)


def test_reimport_updates_in_place(session: Session) -> None:
    import_bureau_csv(session=session, raw=EXAMPLE)
    changed = EXAMPLE.replace(b"wuhan@hbqts.example.org", b"wh-zxzz@hbqts.example.org")
    summary = import_bureau_csv(session=session, raw=changed)
    session.commit()
    assert (summary.created, summary.updated) == (0, 18)
    assert session.get(Bureau, "420100").email == "wh-zxzz@hbqts.example.org"


def test_counties_below_cities_and_levels_from_depth(session: Session) -> None:
    raw = (
        HEADER + "42,湖北省局,,,p@x.example.org,,\n4201,武汉市局,42,,w@x.example.org,,\n"
        "420102,江岸区局,4201,,j@x.example.org,,\n"
    ).encode()
    import_bureau_csv(session=session, raw=raw)
    session.commit()
    assert session.get(Bureau, "420102").level == "county"
    assert [b.code for b in chosen(session, "42", "county")] == ["420102"]
    assert [b.code for b in chosen(session, "42", "all")] == [
        "4201",
        "420102",
    ]


def test_gb18030_csv_from_excel(session: Session) -> None:
    import_bureau_csv(session=session, raw=EXAMPLE.decode().encode("gb18030"))
    assert session.get(Bureau, "420100").name == "武汉市质量技术监督局"


BAD = [
    (
        "duplicate codes",
        HEADER + PROVINCE + "4201,甲,42,,b@x.example.org,,\n4201,乙,42,,c@x.example.org,,\n",
        ["第4行，code列：代码“4201”重复（首次出现在第3行）"],
    ),
    (
        "missing parent",
        HEADER + "42,省局,,,a@x.example.org,,\n4201,甲,43,,b@x.example.org,,\n",
        ["第3行，parent_code列：上级代码“43”在文件和单位登记册中都不存在"],
    ),
    (
        "cycle",
        HEADER
        + PROVINCE
        + "4201,甲,4202,city,b@x.example.org,,\n4202,乙,4201,city,c@x.example.org,,\n",
        [
            "第3行，parent_code列：“4201”成了自己的上级（经由“4202”形成循环）",
            "第4行，parent_code列：“4202”成了自己的上级（经由“4201”形成循环）",
        ],
    ),
    (
        "invalid e-mail",
        HEADER + "42,省局,,,a@x.example.org,,\n4201,甲,42,,not-an-address,,\n",
        ["第3行，email列：“not-an-address”不是有效的电子邮件地址"],
    ),
    (
        "header injection in a name",
        HEADER
        + '42,省局,,,a@x.example.org,,\n4201,"甲\nBcc: x@evil.example.org",42,,b@x.example.org,,\n',
        ["第3行，name列：不能换行，须写在一行内"],
    ),
    (
        "unknown level",
        HEADER + "42,省局,,,a@x.example.org,,\n4201,甲,42,town,b@x.example.org,,\n",
        [
            "第3行，level列：“town”不是有效的层级，应为province、city或county（也可留空，按上级推定）"
        ],
    ),
    (
        "level upside down",
        HEADER + "42,省局,,county,a@x.example.org,,\n4201,甲,42,province,b@x.example.org,,\n",
        ["第3行，level列：省级（province）单位不能隶属于县级（county）单位“42”"],
    ),
    (
        "missing column",
        "code,name,email\n42,省局,a@x.example.org\n",
        ["第1行：缺少必需的列：parent_code"],
    ),
    ("no rows", HEADER, ["第1行：文件中没有单位数据"]),
]


@pytest.mark.parametrize(("label", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_csv_is_refused_whole(
    session: Session, label: str, text: str, expected: list[str]
) -> None:
    with pytest.raises(BureauImportError) as caught:
        import_bureau_csv(session=session, raw=text.encode())
    assert [str(p) for p in caught.value.problems] == expected
    session.rollback()
    assert count(session) == 0


def test_one_bad_row_keeps_the_registry_as_it_was(session: Session) -> None:
    import_bureau_csv(session=session, raw=EXAMPLE)
    session.commit()
    bad = EXAMPLE.replace(b"wuhan@hbqts.example.org", b"wuhan@@bad").replace(
        b"0714-0000001", b"0714-9999999"
    )
    with pytest.raises(BureauImportError):
        import_bureau_csv(session=session, raw=bad)
    session.rollback()
    assert session.get(Bureau, "420200").phone == "0714-0000001"
    assert session.get(Bureau, "420100").email == "wuhan@hbqts.example.org"


# Control characters, every problem at once, keys in one form (issue 9: 3a, 9) ---------------


def refused(session: Session, raw: bytes) -> list[str]:
    with pytest.raises(BureauImportError) as caught:
        import_bureau_csv(session=session, raw=raw)
    session.rollback()
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("column", "row", "char"),
    [
        ("name", "4201,武汉\x00市局,42,,b@x.example.org,,", "U+0000"),
        ("name", "4201,武汉\x0b市局,42,,b@x.example.org,,", "U+000B"),
        ("name", "4201,武汉市局\x1f,42,,b@x.example.org,,", "U+001F"),
        ("name", "4201,武汉\u200b市局,42,,b@x.example.org,,", "U+200B"),
        ("contact", "4201,武汉市局,42,,b@x.example.org,张\x7f三,", "U+007F"),
        ("phone", "4201,武汉市局,42,,b@x.example.org,,027\x0c1234", "U+000C"),
        ("email", "4201,武汉市局,42,,b\x1b@x.example.org,,", "U+001B"),
    ],
)
def test_a_control_character_in_any_field_is_refused_with_line_and_field(
    session: Session, column: str, row: str, char: str
) -> None:
    problems = refused(session, (HEADER + PROVINCE + row + "\n").encode())
    assert len(problems) == 1
    assert problems[0].startswith(f"第3行，{column}列：")
    assert f"含有不可见的控制字符（{char}）" in problems[0]
    assert count(session) == 0


def test_every_problem_of_every_row_is_listed_in_one_pass(session: Session) -> None:
    raw = (
        HEADER
        + "42,省局,,,not-mail,,\n"  # e-mail
        + "4201,,42,,b@x.example.org,,\n"  # name empty
        + "4201,乙\x00,42,town,c@x,,\n"  # name, level, e-mail; duplicate code
        + "4202,丙,99,,d@x.example.org,,\n"  # parent missing
        + "42 03,丁,42,,e@x.example.org,,,extra\n"  # code chars, one field too many
    ).encode()
    assert refused(session, raw) == [
        "第2行，email列：“not-mail”不是有效的电子邮件地址",
        "第3行，name列：不能为空",
        "第4行，level列：“town”不是有效的层级，应为province、city或county（也可留空，按上级推定）",
        "第4行，name列：含有不可见的控制字符（U+0000），请删除后重新导入",
        "第4行，email列：“c@x”不是有效的电子邮件地址",
        "第4行，code列：代码“4201”重复（首次出现在第3行）",
        "第5行，parent_code列：上级代码“99”在文件和单位登记册中都不存在",
        "第6行：字段数多于表头的7列；名称等字段中含有逗号时须用英文双引号括起",
        "第6行，code列：“42 03”只能由字母、数字、“-”和“_”组成",
    ]
    assert count(session) == 0


def test_full_width_digits_and_spaces_in_codes_never_make_a_second_bureau(
    session: Session,
) -> None:
    import_bureau_csv(session=session, raw=EXAMPLE)
    session.commit()
    raw = (
        HEADER + "４２０１００ ,武汉市质量技术监督局（更新）, ４２００００,city,"
        "ｗｕｈａｎ@hbqts.example.org ,,０２７-1\n"
    ).encode()
    summary = import_bureau_csv(session=session, raw=raw)
    session.commit()
    assert (summary.created, summary.updated) == (0, 1)
    assert count(session) == 18
    wuhan = session.get(Bureau, "420100")
    assert (wuhan.name, wuhan.parent_code, wuhan.email, wuhan.phone) == (
        "武汉市质量技术监督局（更新）",
        "420000",
        "wuhan@hbqts.example.org",
        "027-1",
    )


TREE = (
    HEADER + "42,湖北省局,,,p@x.example.org,,\n4201,武汉市局,42,,w@x.example.org,,\n"
    "420102,江岸区局,4201,,j@x.example.org,,\n"
)


def test_reimporting_a_bureau_at_another_level_checks_its_stored_children(
    session: Session,
) -> None:
    import_bureau_csv(session=session, raw=TREE.encode())
    session.commit()
    problems = refused(session, (HEADER + "4201,武汉市局,42,county,w@x.example.org,,\n").encode())
    assert problems == [
        "第2行，level列：“4201”为县级（county）时，登记册中它的下级单位“420102”（江岸区局，"
        "县级（county））将不低于它；请在文件中一并调整下级单位的层级或上级"
    ]
    assert session.get(Bureau, "4201").level == "city"


def test_a_parent_that_would_become_a_descendant_is_refused(session: Session) -> None:
    import_bureau_csv(session=session, raw=TREE.encode())
    session.commit()
    problems = refused(session, (HEADER + "42,湖北省局,420102,,p@x.example.org,,\n").encode())
    assert problems == ["第2行，parent_code列：“42”成了自己的上级（经由“420102”形成循环）"]
    assert session.get(Bureau, "42").parent_code is None


def test_moving_a_subtree_checks_every_stored_child(session: Session) -> None:
    import_bureau_csv(session=session, raw=TREE.encode())
    session.commit()
    # 4201 moves below 4202 (a city): it becomes a county, and its county child cannot stay.
    raw = HEADER + "4202,黄石市局,42,,h@x.example.org,,\n4201,武汉市局,4202,,w@x.example.org,,\n"
    problems = refused(session, raw.encode())
    assert len(problems) == 1 and "“420102”（江岸区局，县级（county））" in problems[0]
    # Moving the child along in the same file is fine.
    raw += "420102,江岸区局,4202,,j@x.example.org,,\n"
    import_bureau_csv(session=session, raw=raw.encode())
    session.commit()
    assert [(b.code, b.level) for b in session.exec(select(Bureau).order_by(Bureau.code))] == [
        ("42", "province"),
        ("4201", "county"),
        ("420102", "county"),
        ("4202", "city"),
    ]


def test_a_row_without_level_takes_the_level_below_its_stored_parent(session: Session) -> None:
    import_bureau_csv(session=session, raw=TREE.encode())
    session.commit()
    import_bureau_csv(
        session=session, raw=(HEADER + "420103,江汉区局,4201,,h@x.example.org,,\n").encode()
    )
    session.commit()
    assert session.get(Bureau, "420103").level == "county"
    problems = refused(session, (HEADER + "42010301,某所,420103,,s@x.example.org,,\n").encode())
    assert problems == ["第2行，level列：上级“420103”已是县级（county），其下不能再设下级"]


# Encodings (issue 9: 7) ----------------------------------------------------------------------


def test_utf8_with_bom_is_read(session: Session) -> None:
    import_bureau_csv(session=session, raw=b"\xef\xbb\xbf" + EXAMPLE)
    assert session.get(Bureau, "420100").name == "武汉市质量技术监督局"


def test_a_file_mixing_utf8_and_gb18030_is_refused_at_its_first_other_line(
    session: Session,
) -> None:
    import_bureau_csv(session=session, raw=EXAMPLE)
    session.commit()
    lines = EXAMPLE.decode().splitlines(keepends=True)
    mixed = "".join(lines[:5]).encode() + "".join(lines[5:]).encode("gb18030")
    assert refused(session, mixed) == [
        "第6行：不是UTF-8编码，而第2行是UTF-8编码：文件混用了两种编码，整体导入会使部分单位名称"
        "变成乱码。请在Excel或文本编辑器中将全文另存为同一种编码（UTF-8或GB18030）后重新导入"
    ]
    reverse = "".join(lines[:5]).encode("gb18030") + "".join(lines[5:]).encode()
    assert refused(session, reverse)[0].startswith("第6行：是UTF-8编码，而第2行是GB18030编码")
    with_bom = b"\xef\xbb\xbf" + "".join(lines[:2]).encode() + "".join(lines[2:]).encode("gb18030")
    assert refused(session, with_bom)[0].startswith("第3行：不是UTF-8编码，而第1行是UTF-8编码")
    assert session.get(Bureau, "420500").name == EXAMPLE.decode().splitlines()[5].split(",")[1]


def test_bytes_in_no_encoding_are_refused(session: Session) -> None:
    assert refused(session, HEADER.encode() + b"42,\xff\xfe,,,a@x.example.org,,\n") == [
        "第2行：文件既不是UTF-8也不是GB18030编码的文本，无法读取"
    ]

"""The bureau registry: CSV import, all or nothing, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from campaign.bureaus import BureauImportError, import_bureau_csv, select_reporters
from models.bureau import Bureau

HEADER = "code,name,parent_code,level,email,contact,phone\n"
PROVINCE = "42,省局,,,a@x.example.org,,\n"
EXAMPLE = (Path(__file__).resolve().parent.parent / "examples" / "bureaus-hubei.csv").read_bytes()


def count(session: Session) -> int:
    return len(session.exec(select(Bureau)).all())


def test_example_registry_has_the_province_and_17_units(session: Session) -> None:
    summary = import_bureau_csv(session=session, raw=EXAMPLE)
    session.commit()
    assert (summary.created, summary.updated) == (18, 0)
    cities = select_reporters(session=session, root_code="420000", level="city")
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
    assert [b.code for b in select_reporters(session=session, root_code="42", level="county")] == [
        "420102"
    ]
    assert [b.code for b in select_reporters(session=session, root_code="42", level="all")] == [
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
        ["line 4, column code: duplicate code '4201' (first on line 3)"],
    ),
    (
        "missing parent",
        HEADER + "42,省局,,,a@x.example.org,,\n4201,甲,43,,b@x.example.org,,\n",
        ["line 3, column parent_code: parent '43' is not in the file or the registry"],
    ),
    (
        "cycle",
        HEADER
        + PROVINCE
        + "4201,甲,4202,city,b@x.example.org,,\n4202,乙,4201,city,c@x.example.org,,\n",
        [
            "line 3, column parent_code: '4201' is its own ancestor (a cycle through '4202')",
            "line 4, column parent_code: '4202' is its own ancestor (a cycle through '4201')",
        ],
    ),
    (
        "invalid e-mail",
        HEADER + "42,省局,,,a@x.example.org,,\n4201,甲,42,,not-an-address,,\n",
        ["line 3, column email: 'not-an-address' is not a valid e-mail address"],
    ),
    (
        "header injection in a name",
        HEADER
        + '42,省局,,,a@x.example.org,,\n4201,"甲\nBcc: x@evil.example.org",42,,b@x.example.org,,\n',
        ["line 3, column name: must be on one line"],
    ),
    (
        "unknown level",
        HEADER + "42,省局,,,a@x.example.org,,\n4201,甲,42,town,b@x.example.org,,\n",
        ["line 3, column level: 'town' is not one of province, city, county"],
    ),
    (
        "level upside down",
        HEADER + "42,省局,,county,a@x.example.org,,\n4201,甲,42,province,b@x.example.org,,\n",
        ["line 3, column level: a province bureau cannot sit under the county bureau '42'"],
    ),
    (
        "missing column",
        "code,name,email\n42,省局,a@x.example.org\n",
        ["line 1: missing column(s): parent_code"],
    ),
    ("no rows", HEADER, ["line 1: the file has no bureau rows"]),
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

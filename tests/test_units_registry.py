"""The unit registry CSV with kinds, parents, own governments and groups, on both databases:
levels derived per kind, every problem at once with its line, nothing half-stored."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from campaign.bureaus import BureauImportError, import_bureau_csv, select_units
from campaign.plan.units import selector
from models.bureau import Bureau
from tests.support.hubei import HUBEI_BUREAUS

HEADER = "code,name,parent_code,level,email,contact,phone,kind,government_code,groups\n"
REGISTRY = HEADER + (
    "g44,广东省人民政府,,,gov@gd.example.org,,,government,,\n"
    "g4401,广州市人民政府,g44,,gz-gov@gd.example.org,,,government,,\n"
    "44,广东省质量技术监督局,,,office@gdqts.example.org,,,,g44,\n"
    "4401,广州市质量技术监督局,44,,gz@gdqts.example.org,,,bureau,g4401,pilot；leading\n"
    "4402,韶关市质量技术监督局,44,,sg@gdqts.example.org,,,,,\n"
    "440101,越秀区质量技术监督局,4401,,yx@gdqts.example.org,,,,,pilot\n"
    "44-bgs,办公室,44,,bgs@gdqts.example.org,,,division,,\n"
    "44-zx,行政服务中心,44,,zx@gdqts.example.org,,,affiliate,,\n"
    "44-zx-1,服务中心综合科,44-zx,,zh@gdqts.example.org,,,division,,\n"
    "g44-jx,省经济和信息化委员会,g44,,jx@gd.example.org,,,department,,\n"
)


def refused(session: Session, text: str) -> list[str]:
    with pytest.raises(BureauImportError) as caught:
        import_bureau_csv(session=session, raw=text.encode())
    session.rollback()
    return [str(p) for p in caught.value.problems]


def test_kinds_parents_governments_and_groups_are_stored(session: Session) -> None:
    summary = import_bureau_csv(session=session, raw=REGISTRY.encode())
    session.commit()
    assert summary.created == 10
    stored = {b.code: b for b in session.exec(select(Bureau))}
    assert [(c, stored[c].kind, stored[c].level) for c in sorted(stored)] == [
        ("44", "bureau", "province"),
        ("44-bgs", "division", "province"),  # a 处室 shares its bureau's level
        ("44-zx", "affiliate", "province"),
        ("44-zx-1", "division", "province"),
        ("4401", "bureau", "city"),
        ("440101", "bureau", "county"),
        ("4402", "bureau", "city"),
        ("g44", "government", "province"),
        ("g44-jx", "department", "province"),
        ("g4401", "government", "city"),
    ]
    assert stored["4401"].government_code == "g4401"
    assert stored["4401"].groups == ["leading", "pilot"]
    assert stored["4402"].groups == []


def test_the_one_resolution_reads_the_stored_registry(session: Session, hubei_plan) -> None:  # type: ignore[no-untyped-def]
    import_bureau_csv(session=session, raw=REGISTRY.encode())
    session.commit()
    plan = hubei_plan.model_copy(update={"root_bureau": "44"})

    def chosen(written: object) -> list[str]:
        return select_units(session=session, plan=plan, chosen=selector(written))

    assert chosen("city") == ["4401", "4402"]
    assert chosen({"kind": ["division", "affiliate"]}) == ["44-bgs", "44-zx", "44-zx-1"]
    assert chosen({"group": "pilot"}) == ["4401", "440101"]
    assert chosen("office") == ["44"]


def test_the_hubei_registry_without_the_new_columns_is_all_bureaus(session: Session) -> None:
    import_bureau_csv(session=session, raw=HUBEI_BUREAUS.read_bytes())
    session.commit()
    kinds = {(b.kind, b.government_code, tuple(b.groups)) for b in session.exec(select(Bureau))}
    assert kinds == {("bureau", None, ())}


def test_every_problem_of_kinds_parents_and_governments_at_once(session: Session) -> None:
    text = HEADER + (
        "g44,广东省人民政府,,,gov@gd.example.org,,,government,,\n"  # 2
        "44,省局,,,office@x.example.org,,,bureau,44-bgs,\n"  # 3: government is a division
        "44-bgs,办公室,,,bgs@x.example.org,,,division,,\n"  # 4: a division needs a parent
        "4401,广州市局,44,,gz@x.example.org,,,bureaux,,\n"  # 5: unknown kind
        "g44-jx,经信委,44,,jx@x.example.org,,,department,,\n"  # 6: department under a bureau
        "4402,韶关市局,g44,,sg@x.example.org,,,,,\n"  # 7: bureau under a government
        "44-fg,法规处,44,city,fg@x.example.org,,,division,g99,\n"  # 8: level; no such government
        "4403,深圳市局,4404,,sz@x.example.org,,,,,Pilot!\n"  # 9: cycle; bad group key
        "4404,珠海市局,4403,,zh@x.example.org,,,,,\n"  # 10: cycle
    )
    assert refused(session, text) == [
        "第3行，government_code列：“44-bgs”是处室（division），不是人民政府（government）",
        "第4行，parent_code列：处室（division）须填写上级单位代码",
        "第5行，kind列：“bureaux”不是有效的单位类别，应为局（bureau）、人民政府（government）、"
        "政府部门（department）、处室（division）、直属单位（affiliate）之一（留空为局）",
        "第6行，parent_code列：政府部门（department）的上级应为人民政府（government），"
        "而“44”是局（bureau）",
        "第7行，parent_code列：局（bureau）的上级应为局（bureau），而“g44”是人民政府（government）",
        "第8行，level列：处室（division）与其上级“44”同级，应为省级（province）（也可留空）",
        "第8行，government_code列：本级政府代码“g99”在文件和单位登记册中都不存在",
        "第9行，groups列：分组“Pilot!”只能由小写字母、数字、“-”和“_”组成，以字母开头，"
        "不超过64个字符",
        "第9行，parent_code列：“4403”成了自己的上级（经由“4404”形成循环）",
        "第10行，parent_code列：“4404”成了自己的上级（经由“4403”形成循环）",
    ]
    assert session.exec(select(Bureau)).first() is None


def test_a_generated_registry_holds_the_kinds_and_groups_the_plan_names() -> None:
    """`campaign simulate PLAN --bureaus N` for a plan of 处室, 直属单位 and governments."""
    from campaign.bureaus import units_of_csv
    from campaign.demo.registry import generate_registry
    from campaign.plan import load_plan_text
    from campaign.plan.reach import launch_problems, registry_warnings
    from campaign.plan.units import Registry
    from tests.support.hubei import HUBEI_PLAN

    text = HUBEI_PLAN.read_text(encoding="utf-8").replace(
        "    reporters: city\n    schedule: {type: weekly",
        "    reporters: [{kind: [division, affiliate]}, {group: pilot}]\n"
        "    recipients: [office, government]\n    schedule: {type: weekly",
    )
    plan = load_plan_text(text)
    units = units_of_csv(generate_registry(plan, 9, seed=3))
    kinds = sorted({(u.kind, u.level) for u in units})
    assert kinds == [
        ("affiliate", "province"),
        ("bureau", "city"),
        ("bureau", "county"),  # a group may hold counties: they are generated
        ("bureau", "province"),
        ("division", "province"),
        ("government", "city"),
        ("government", "county"),
        ("government", "province"),
    ]
    pilot = sorted(u.code for u in units if "pilot" in u.groups)
    assert pilot == ["420100", "420103", "420106", "420109"]  # every third below the root
    registry = Registry.of(units, root=plan.root_bureau)
    assert launch_problems(plan, registry) == []
    (warning,) = [str(w) for w in registry_warnings(plan, registry)]
    assert "9个报送单位在单位名录中没有报送对象“本级政府”：办公室、法规处" in warning  # 处室
    hubei_like = units_of_csv(
        generate_registry(load_plan_text(HUBEI_PLAN.read_text("utf-8")), 3, 1)
    )
    assert {u.kind for u in hubei_like} == {"bureau"}


def test_a_file_without_the_unit_columns_keeps_stored_kinds_and_groups(session: Session) -> None:
    import_bureau_csv(session=session, raw=REGISTRY.encode())
    session.commit()
    update = (
        "code,name,parent_code,level,email,contact,phone\n"
        "4401,广州市质量技术监督局,44,,new-gz@gdqts.example.org,,\n"
        "44-bgs,办公室,44,,new-bgs@gdqts.example.org,,\n"
    )
    summary = import_bureau_csv(session=session, raw=update.encode())
    session.commit()
    assert summary.updated == 2
    gz, office = session.get(Bureau, "4401"), session.get(Bureau, "44-bgs")
    assert (gz.email, gz.kind, gz.government_code, gz.groups) == (
        "new-gz@gdqts.example.org",
        "bureau",
        "g4401",
        ["leading", "pilot"],
    )
    assert (office.kind, office.level) == ("division", "province")

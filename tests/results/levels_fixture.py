"""A hand-computed three-level fixture: a province (000), three cities, nine counties; one
routed weekly period (第1周, counties due 01-12, the cities' aggregate reports 01-15),
seen on TODAY (01-25). Figures: 检查企业数 (inspections, summed).

甲市 100: 甲一 10 (按时), 甲二 20 (迟报), 甲三 30 (按时); counties' sum 60; the city
          submitted 60 (按时, accepted).
乙市 200: 乙一 5 (按时), 乙二 returned once, corrected to 7 (迟报, accepted), 乙三 未报;
          counties' sum 12; the city submitted 15 (迟报, accepted): 多3.
丙市 300: 丙一 4, 丙二 6 awaiting review (not summed), 丙三 2; counties' sum 6; the city
          has not submitted (未报).

The province's total: 60 + 15 = 75 (the cities' reports only). Adding the counties too
would give 75 + 60 + 12 + 6 = 153.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from models.bureau import Bureau, BureauLevel
from models.request import ReportRequest, RequestKind, RequestStatus
from models.submission import ReportSubmission, ReviewStatus
from tests.results.db_fixture import add_campaign
from tests.results.fixture import PLAN

TODAY = date(2026, 1, 25)
PERIOD = ("2026-w02", "第1周", date(2026, 1, 5), date(2026, 1, 11))
COUNTY_DUE, CITY_DUE = date(2026, 1, 12), date(2026, 1, 15)
CITIES = [("100", "甲市局"), ("200", "乙市局"), ("300", "丙市局")]
# county code, name, city, answer: None (未报) or (versions' review statuses, late, inspections)
COUNTIES = [
    ("101", "甲一县局", "100", (["accepted"], False, 10)),
    ("102", "甲二县局", "100", (["accepted"], True, 20)),
    ("103", "甲三县局", "100", (["accepted"], False, 30)),
    ("201", "乙一县局", "200", (["accepted"], False, 5)),
    ("202", "乙二县局", "200", (["returned", "accepted"], True, 7)),
    ("203", "乙三县局", "200", None),
    ("301", "丙一县局", "300", (["accepted"], False, 4)),
    ("302", "丙二县局", "300", (["pending"], False, 6)),
    ("303", "丙三县局", "300", (["accepted"], False, 2)),
]
AGGREGATES = {"100": (["accepted"], False, 60), "200": (["accepted"], True, 15), "300": None}
# 获证企业数 and 企业数 (cumulative): 1 and 1 per county; the cities sum them as accepted
HELD = {"100": 3, "200": 2}
PROVINCE_TOTAL = 75
LEVELS_PLAN = PLAN.replace("document_number:", 'root_bureau: "000"\ndocument_number:', 1)
COUNTY_SUMS = {"100": 60, "200": 12, "300": 6}
STATUS = {"accepted": RequestStatus.accepted, "pending": RequestStatus.submitted,
          "returned": RequestStatus.returned}  # fmt: skip


def add_registry(session: Session) -> None:
    session.add(Bureau(code="000", name="测试省局", level=BureauLevel.province,
                       email="p@example.org"))  # fmt: skip
    for code, name in CITIES:
        session.add(Bureau(code=code, name=name, parent_code="000", level=BureauLevel.city,
                           email=f"c{code}@example.org"))  # fmt: skip
    for code, name, city, _ in COUNTIES:
        session.add(Bureau(code=code, name=name, parent_code=city, level=BureauLevel.county,
                           email=f"x{code}@example.org"))  # fmt: skip
    session.flush()


def _request(
    session: Session, campaign_id: int, unit: str, kind: str, due: date, relay: str | None,
    answer: tuple[list[str], bool, int] | None,
) -> None:  # fmt: skip
    statuses = answer[0] if answer else []
    request = ReportRequest(
        campaign_id=campaign_id,
        duty_key="weekly",
        period_key=PERIOD[0],
        period_label=PERIOD[1],
        period_start=PERIOD[2],
        period_end=PERIOD[3],
        bureau_code=unit,
        kind=kind,
        due_date=due,
        late=bool(answer and answer[1]),
        status=STATUS[statuses[-1]] if statuses else RequestStatus.overdue,
        relay_to=relay,
    )
    session.add(request)
    session.flush()
    if answer is None:
        return
    for version, review in enumerate(statuses, 1):
        figure = answer[2] if version == len(statuses) else 99  # a returned version: 99
        session.add(
            ReportSubmission(
                request_id=request.id,
                campaign_id=campaign_id,
                bureau_code=unit,
                version=version,
                values={
                    "inspections": str(figure),
                    "licensed": str(HELD.get(unit, 1)),
                    "enterprises": str(HELD.get(unit, 1)),
                    "pass_rate": "96",
                },  # fmt: skip
                narrative="",
                channel="web",
                submitted_at=datetime(2026, 1, 12, tzinfo=UTC),
                late=answer[1],
                review_status=ReviewStatus(review),
            )
        )


def store_levels(session: Session) -> int:
    add_registry(session)
    campaign_id = add_campaign(session, LEVELS_PLAN)
    for code, _, city, answer in COUNTIES:
        _request(session, campaign_id, code, RequestKind.request, COUNTY_DUE, city, answer)
    for code, answer in AGGREGATES.items():
        _request(session, campaign_id, code, RequestKind.aggregate, CITY_DUE, None, answer)
    session.commit()
    return campaign_id

"""Launch a campaign: validate the plan, store it with its resolved schedule."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from campaign.audit import record_audit
from campaign.bureaus import load_registry
from campaign.i18n import _
from campaign.orchestration.store import store_schedule
from campaign.plan import Plan, PlanError, Problem, parse_plan
from campaign.plan.load import locate
from campaign.plan.reach import launch_problems
from campaign.plan.yaml_read import read_limited
from campaign.schedule import ACK_DUTY, build_schedule
from campaign.workdays import WorkCalendar
from models.audit import Channel
from models.campaign import Campaign


class CampaignExists(Exception):
    """The plan's document number was launched before."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign_id = campaign.id
        super().__init__(
            _(
                "{number} is already launched as campaign {id} ({status}); amend, resume or "
                "cancel that one instead"
            ).format(number=campaign.document_number, id=campaign.id, status=_(campaign.status))
        )


class UnitsUnmatched(Exception):
    """A duty's reporters (or the directives' recipients) match no unit of the registry."""

    def __init__(self, document_number: str, problems: list[Problem]) -> None:
        self.problems = problems
        header = _("{number} is not launched: the plan's units are not in the registry").format(
            number=document_number
        )
        super().__init__("\n".join([header, *(f"  {p}" for p in problems)]))


class CampaignNotFound(LookupError):
    pass


def read_plan_argument(value: str) -> tuple[bytes, str]:
    """A plan given as a path or as the YAML text itself: (bytes, source name)."""
    if "\n" not in value and len(value) < 1000:
        path = Path(value).expanduser()
        if path.is_file():
            return read_limited(path), str(path)
        if value.endswith((".yaml", ".yml")):
            raise PlanError(value, [Problem((), "cannot read the file: no such file")])
    return value.encode("utf-8"), "<pasted plan>"


def validated_plan(raw: bytes, source: str) -> tuple[Plan, str]:
    """The plan and its text; PlanError with the same problems `campaign validate` lists."""
    result = parse_plan(raw)
    if result.plan is None:
        raise PlanError(source, result.problems)
    if any(d.key == ACK_DUTY for d in result.plan.duties):
        problem = Problem(("duties",), f"the duty key {ACK_DUTY!r} is reserved for 签收")
        raise PlanError(source, [problem])
    return result.plan, raw.decode("utf-8-sig")


def launch_campaign(
    *,
    session: Session,
    plan: Plan,
    plan_text: str,
    source: str | None,
    work: WorkCalendar,
    actor: str,
    channel: Channel,
) -> Campaign:
    """Store the campaign and its schedule; CampaignExists if the document was launched,
    UnitsUnmatched if a duty's reporters match no unit of the registry."""
    existing = campaign_by_document(session=session, document_number=plan.document_number)
    if existing is not None:
        raise CampaignExists(existing)
    unmatched = launch_problems(plan, load_registry(session=session, plan=plan))
    if unmatched:
        raise UnitsUnmatched(plan.document_number, locate(unmatched, plan_text))
    events = build_schedule(plan, work)  # before anything is stored: a failure stores nothing
    campaign = Campaign(
        document_number=plan.document_number,
        title=plan.title,
        plan_yaml=plan_text,
        plan_sha256=hashlib.sha256(plan_text.encode("utf-8")).hexdigest(),
        plan_source=source,
        timezone=plan.timezone,
    )
    session.add(campaign)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = campaign_by_document(session=session, document_number=plan.document_number)
        if existing is None:
            raise
        raise CampaignExists(existing) from None
    assert campaign.id is not None
    store_schedule(session=session, campaign_id=campaign.id, events=events)
    record_audit(
        session=session,
        event="campaign_launched",
        actor=actor,
        channel=channel,
        campaign_id=campaign.id,
        document_number=plan.document_number,
        source=source,
        events=len(events),
        sha256=campaign.plan_sha256,
    )
    return campaign


def campaign_by_document(*, session: Session, document_number: str) -> Campaign | None:
    return session.exec(select(Campaign).where(Campaign.document_number == document_number)).first()


def find_campaign(*, session: Session, ref: str | int) -> Campaign:
    """A campaign by id, or by document number."""
    text = str(ref).strip()
    campaign = session.get(Campaign, int(text)) if text.isdigit() else None
    if campaign is None:
        campaign = campaign_by_document(session=session, document_number=text)
    if campaign is None:
        raise CampaignNotFound(
            _("No campaign {ref!r} (give its id or document number; see `campaign list`)").format(
                ref=text
            )
        )
    return campaign

"""What an answer is for: the campaign, plan, bureau, request and form behind a link.

A personal link (ReplyLink) or, for the coordinator's CLI, a request itself; both resolve
to one ReplyContext so the web form, the .xlsx upload and the CLI share every later step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from campaign.acceptance.form import RECTIFICATION_FORM
from campaign.clock import local_today
from campaign.links import LiveLink
from campaign.plan.schema import Duty, Office, Plan, ReportForm
from campaign.plan.stored import plan_of
from campaign.replies.errors import RequestClosed, RequestSettled, WrongLink
from models.bureau import Bureau
from models.campaign import Campaign, CampaignStatus
from models.link import LinkPurpose, ReplyLink
from models.request import ReportRequest, RequestKind, RequestStatus

LIVE_CAMPAIGN = (CampaignStatus.active, CampaignStatus.paused)


@dataclass
class ReplyContext:
    campaign: Campaign
    plan: Plan
    bureau: Bureau
    purpose: LinkPurpose
    request: ReportRequest | None
    link: ReplyLink | None
    duty: Duty | None
    form: ReportForm | None

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.campaign.timezone or self.plan.timezone)


def resolve_context(
    *,
    session: Session,
    link_or_request: ReplyLink | ReportRequest,
    loaded: LiveLink | None = None,
) -> ReplyContext:
    """The target of a live link, or of a request given directly (coordinator, CLI).
    `loaded`: the link's rows as campaign.links.live_link gave them (saves the query)."""
    campaign: Campaign | None
    if isinstance(link_or_request, ReplyLink):
        link: ReplyLink | None = link_or_request
        purpose = link_or_request.purpose
        if loaded is not None and loaded.link is link_or_request:
            request, campaign, bureau = (
                _own_request(link_or_request, loaded.request),
                loaded.campaign,
                loaded.bureau,
            )
        else:
            request, campaign, bureau = _load(session, link_or_request)
        if purpose != LinkPurpose.ad_hoc and request is None:
            raise WrongLink("链接无效或已失效。")
    else:
        link, request = None, link_or_request
        purpose = (
            LinkPurpose.acknowledge
            if request.kind == RequestKind.acknowledgement
            else LinkPurpose.report
        )
        campaign = session.get(Campaign, request.campaign_id)
        bureau = session.get(Bureau, request.bureau_code)
    if campaign is None or bureau is None:
        raise WrongLink("链接无效或已失效。")
    plan = plan_of(campaign)
    duty = _duty_for(plan, request, purpose)
    return ReplyContext(
        campaign=campaign,
        plan=plan,
        bureau=bureau,
        purpose=purpose,
        request=request,
        link=link,
        duty=duty,
        form=_form_for(plan, duty, purpose, request),
    )


def _load(
    session: Session, link: ReplyLink
) -> tuple[ReportRequest | None, Campaign | None, Bureau | None]:
    """The link's request, campaign and bureau: one query unless the session has them.

    A request of another bureau or campaign than the link's is treated as no request:
    a link opens its own request only.
    """
    request = None
    if link.request_id is not None:
        request = session.identity_map.get(identity_key(ReportRequest, link.request_id))
        if request is None:
            query = (
                select(ReportRequest, Campaign, Bureau)
                .join(Campaign, col(Campaign.id) == col(ReportRequest.campaign_id))
                .join(Bureau, col(Bureau.code) == col(ReportRequest.bureau_code))
                .where(
                    ReportRequest.id == link.request_id,
                    ReportRequest.campaign_id == link.campaign_id,
                    ReportRequest.bureau_code == link.bureau_code,
                )
            )
            row = session.exec(query).first()
            if row is None:
                return None, None, None
            return row[0], row[1], row[2]
        request = _own_request(link, request)
    return request, session.get(Campaign, link.campaign_id), session.get(Bureau, link.bureau_code)


def _own_request(link: ReplyLink, request: ReportRequest | None) -> ReportRequest | None:
    """The request if it is the link's own (same campaign and bureau), else None."""
    if request is None or (request.campaign_id, request.bureau_code) != (
        link.campaign_id,
        link.bureau_code,
    ):
        return None
    return request


def _duty_for(plan: Plan, request: ReportRequest | None, purpose: LinkPurpose) -> Duty | None:
    if purpose == LinkPurpose.acknowledge:
        return None
    if request is not None:
        return next((d for d in plan.duties if d.key == request.duty_key), None)
    return next((d for d in plan.duties if d.kind == "ad_hoc"), None)


def _form_for(
    plan: Plan, duty: Duty | None, purpose: LinkPurpose, request: ReportRequest | None
) -> ReportForm | None:
    if purpose == LinkPurpose.acknowledge:
        return None
    if request is not None and request.kind == RequestKind.rectification:
        return RECTIFICATION_FORM
    if duty is not None and duty.form:
        return plan.form(duty.form)
    title = duty.name if duty is not None else "重大情况报告"
    return ReportForm(key="narrative-only", title=title)


def office_contact(office: Office) -> str:
    return f"{office.name}（联系人：{office.contact}，电话：{office.phone}，邮箱：{office.email}）"


def ensure_answerable(target: ReplyContext) -> None:
    """Raise unless the target takes an answer now (campaign live, request not closed)."""
    contact = office_contact(target.plan.office)
    request = target.request
    if target.campaign.status not in LIVE_CAMPAIGN or (
        request is not None and request.status == RequestStatus.closed
    ):
        raise RequestClosed(f"本次报送已关闭，不再接收。如有特殊情况，请联系{contact}。")
    if request is not None and request.status == RequestStatus.accepted:
        if target.purpose == LinkPurpose.acknowledge:
            return
        if request.kind == RequestKind.rectification:
            raise RequestSettled(
                f"{request.period_label}已销号，无需再报告。如有疑问，请联系{contact}。"
            )
        raise RequestSettled(f"本期报告已审核通过，不能再修改。如需更正，请联系{contact}。")


def is_late(request: ReportRequest, now: datetime, timezone: ZoneInfo) -> bool:
    """After the due date (in the campaign's time zone): late, but still accepted."""
    return request.due_date is not None and local_today(now, timezone) > request.due_date

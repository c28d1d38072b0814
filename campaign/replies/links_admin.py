"""The coordinator's hold on personal links: revoke them, or issue a fresh one (reissue),
which is mailed to the bureau through the outbox."""

from __future__ import annotations

from sqlmodel import Session

from campaign.audit import record_audit
from campaign.i18n import _
from campaign.links import IssuedLink, issue_link, revoke_links
from campaign.mail.notices import queue_link_reissued
from campaign.plan.stored import plan_of
from models.audit import Channel
from models.bureau import Bureau
from models.campaign import Campaign
from models.link import LinkPurpose
from models.request import ReportRequest


class LinkAdminError(Exception):
    pass


def _check_target(
    session: Session,
    campaign_id: int,
    bureau_code: str,
    purpose: LinkPurpose | None,
    request_id: int | None,
) -> None:
    if session.get(Campaign, campaign_id) is None:
        raise LinkAdminError(_("No campaign with id {id}.").format(id=campaign_id))
    if session.get(Bureau, bureau_code) is None:
        raise LinkAdminError(_("No bureau with code {code!r}.").format(code=bureau_code))
    if request_id is not None:
        request = session.get(ReportRequest, request_id)
        if request is None or (request.campaign_id, request.bureau_code) != (
            campaign_id,
            bureau_code,
        ):
            raise LinkAdminError(
                _("Request {id} is not a request of bureau {code} in campaign {campaign}.").format(
                    id=request_id, code=bureau_code, campaign=campaign_id
                )
            )
    if purpose in (LinkPurpose.report, LinkPurpose.acknowledge) and request_id is None:
        raise LinkAdminError(
            _("A {purpose} link needs a request id.").format(purpose=purpose.value)
        )
    if purpose == LinkPurpose.ad_hoc and request_id is not None:
        raise LinkAdminError(_("An ad_hoc link is a standing link: give no request id."))


def revoke(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    actor: str,
    purpose: LinkPurpose | None = None,
    request_id: int | None = None,
) -> int:
    """Revoke the bureau's live links (all, or of one purpose / request); how many."""
    _check_target(session, campaign_id, bureau_code, None, request_id)
    count = revoke_links(
        session=session,
        campaign_id=campaign_id,
        bureau_code=bureau_code,
        purpose=purpose,
        request_id=request_id,
    )
    record_audit(
        session=session,
        event="links_revoked",
        actor=actor,
        channel=Channel.cli,
        campaign_id=campaign_id,
        bureau_code=bureau_code,
        purpose=purpose.value if purpose else None,
        request_id=request_id,
        count=count,
    )
    return count


def reissue(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    purpose: LinkPurpose,
    actor: str,
    request_id: int | None = None,
) -> IssuedLink:
    """A new link for the target; the earlier live ones of the same target stop working."""
    _check_target(session, campaign_id, bureau_code, purpose, request_id)
    issued = issue_link(
        session=session,
        campaign_id=campaign_id,
        bureau_code=bureau_code,
        purpose=purpose,
        request_id=request_id,
    )
    record_audit(
        session=session,
        event="link_issued",
        actor=actor,
        channel=Channel.cli,
        campaign_id=campaign_id,
        bureau_code=bureau_code,
        purpose=purpose.value,
        request_id=request_id,
        link_id=issued.link.id,
    )
    _mail_link(session, campaign_id, bureau_code, request_id, issued)
    return issued


def _mail_link(
    session: Session,
    campaign_id: int,
    bureau_code: str,
    request_id: int | None,
    issued: IssuedLink,
) -> None:
    """Queue the new link to the bureau, keyed on the link: a retry queues no second mail."""
    campaign = session.get(Campaign, campaign_id)
    bureau = session.get(Bureau, bureau_code)
    assert campaign is not None and bureau is not None
    queue_link_reissued(
        session=session,
        campaign=campaign,
        plan=plan_of(campaign),
        bureau=bureau,
        request=session.get(ReportRequest, request_id) if request_id is not None else None,
        link_url=issued.url,
        key=f"link:{issued.link.id}",
    )

"""Ad-hoc reports (重大情况随时报送): each one sent through the standing link is a request
of its own (kind "ad_hoc", period_key the moment it arrived plus a random suffix),
answered at once."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session

from campaign.bureaus import report_recipients
from campaign.clock import local_time, local_today
from campaign.replies.reply_context import ReplyContext
from models.request import ReportRequest, RequestKind, RequestStatus

DEFAULT_DUTY_KEY = "ad-hoc"


def open_ad_hoc_request(*, session: Session, target: ReplyContext, now: datetime) -> ReportRequest:
    """A new request for one ad-hoc report of the target's bureau (flushed, with an id)."""
    local = local_time(now, target.timezone)
    duty_key = target.duty.key if target.duty is not None else DEFAULT_DUTY_KEY
    recipients = (
        report_recipients(
            session=session, plan=target.plan, duty=target.duty, codes=[target.bureau.code]
        ).get(target.bureau.code, [])
        if target.duty is not None
        else []
    )
    request = ReportRequest(
        campaign_id=target.campaign.id,  # type: ignore[arg-type]
        duty_key=duty_key,
        period_key=f"{local:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}",  # unique per report
        period_label=f"{local.year}年{local.month}月{local.day}日{local:%H:%M}报送",
        period_start=local_today(now, target.timezone),
        period_end=local_today(now, target.timezone),
        bureau_code=target.bureau.code,
        kind=RequestKind.ad_hoc,
        due_date=None,
        status=RequestStatus.open,
        opened_at=now,
        recipients=recipients,
    )
    session.add(request)
    session.flush()
    return request

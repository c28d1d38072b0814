"""The page of an expired personal link: why it expired, and whom to contact; and the page
of a link replaced by a newer one (reissued, or after a 退回): the new one was mailed."""

from __future__ import annotations

from fastapi.responses import HTMLResponse

from campaign.clock import local_time
from campaign.link_expiry import Closure
from campaign.links import LiveLink
from campaign.plan.stored import plan_of
from campaign.replies.reply_context import office_contact
from campaign.settings import get_settings
from campaign.templating import cn_date
from campaign.web.pages import page
from models.link import ReplyLink

HEADING = "链接已失效"
WHY = {
    "accepted": "本期报告已于{date}审核通过",
    "acknowledged": "本通知已于{date}签收",
    "completed": "本次工作已于{date}结束",
    "cancelled": "本次工作已于{date}终止",
    "closed": "本次报送已于{date}关闭",
}


def expired_page(found: LiveLink, closed: Closure) -> HTMLResponse:
    """410 with the reason, the end of the viewing period and the office's contact."""
    campaign = found.campaign
    plan = plan_of(campaign)
    zone = campaign.timezone or plan.timezone
    why = WHY[closed.reason].format(date=cn_date(local_time(closed.at, zone)))
    days = get_settings().link_grace_days
    until = cn_date(local_time(closed.expires_at, zone))
    message = (
        f"{why}，此链接此后保留{days}日供查看，已于{until}失效，不能再打开。"
        f"如需查询报送情况或更正已报送的内容，请联系{office_contact(plan.office)}。"
    )
    return page(
        "closed.html",
        status=410,
        title=HEADING,
        heading=HEADING,
        message=message,
        campaign=campaign,
        office=plan.office,
    )


REPLACED = "链接已更换"


def replaced_page(found: LiveLink, newer: ReplyLink) -> HTMLResponse:
    """410: this link was replaced; the new one went to the bureau's mailbox."""
    campaign = found.campaign
    plan = plan_of(campaign)
    zone = campaign.timezone or plan.timezone
    sent = cn_date(local_time(newer.created_at, zone))
    mailbox = f"（{found.bureau.email}）" if found.bureau is not None else ""
    message = (
        f"此链接已停用。新的专用链接已于{sent}通过电子邮件发送给你单位{mailbox}，"
        f"请打开最新邮件中的链接办理。如未收到，请联系{office_contact(plan.office)}。"
    )
    return page(
        "closed.html",
        status=410,
        title=REPLACED,
        heading=REPLACED,
        message=message,
        campaign=campaign,
        office=plan.office,
    )

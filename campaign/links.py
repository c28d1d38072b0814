"""Issue, resolve and revoke personal reply links ({public_url}/r/{token}).

The token is shown once (in the e-mail) and stored as an HMAC-SHA256 hash, so a
database leak reveals no usable link. A link opens only its own request; it stops
working when revoked or when its campaign is no longer active.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from campaign.settings import get_settings
from models._common import utcnow
from models.bureau import Bureau
from models.campaign import Campaign, CampaignStatus
from models.link import LinkPurpose, ReplyLink
from models.request import ReportRequest

TOKEN_BYTES = 32


@dataclass(frozen=True)
class IssuedLink:
    link: ReplyLink
    token: str

    @property
    def url(self) -> str:
        return link_url(self.token)


def hash_token(token: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def link_url(token: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/r/{token}"


def issue_link(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    purpose: LinkPurpose,
    request_id: int | None = None,
    revoke_previous: bool = True,
) -> IssuedLink:
    """A new token for the bureau's target.

    By default earlier live links of the same target are revoked (a reissue). A reminder
    passes revoke_previous=False: the link in the original e-mail keeps working beside the
    reminder's, since the stored hashes cannot give back the original token.
    """
    if revoke_previous:
        revoke_links(
            session=session,
            campaign_id=campaign_id,
            bureau_code=bureau_code,
            purpose=purpose,
            request_id=request_id,
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ReplyLink(
        token_hash=hash_token(token),
        purpose=purpose,
        campaign_id=campaign_id,
        bureau_code=bureau_code,
        request_id=request_id,
    )
    session.add(link)
    session.flush()
    return IssuedLink(link=link, token=token)


class LiveLink(NamedTuple):
    """A live link with the rows it points at, loaded together (request None for 签收-less
    ad-hoc links). Holding them keeps them in the session, whose identity map is weak."""

    link: ReplyLink
    campaign: Campaign
    request: ReportRequest | None
    bureau: Bureau | None


def live_link(*, session: Session, token: str) -> LiveLink | None:
    """The live link for token and its rows, in one query; None for forged, revoked or
    closed-campaign tokens alike."""
    if not token or len(token) > 128:
        return None
    row = session.execute(_BY_HASH, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    link, campaign, request, bureau = row
    if link.revoked_at is not None:
        return None
    if campaign is None or campaign.status not in (CampaignStatus.active, CampaignStatus.paused):
        return None
    return LiveLink(link, campaign, request, bureau)


def resolve_token(*, session: Session, token: str) -> ReplyLink | None:
    """The live link for token; None for forged, revoked or closed-campaign tokens alike."""
    live = live_link(session=session, token=token)
    return None if live is None else live.link


_BY_HASH = (
    select(ReplyLink, Campaign, ReportRequest, Bureau)
    .outerjoin(Campaign, col(Campaign.id) == col(ReplyLink.campaign_id))
    .outerjoin(ReportRequest, col(ReportRequest.id) == col(ReplyLink.request_id))
    .outerjoin(Bureau, col(Bureau.code) == col(ReplyLink.bureau_code))
    .where(col(ReplyLink.token_hash) == bindparam("token_hash"))
    .options(defer(Campaign.plan_yaml))  # type: ignore[arg-type]  # plan_of caches by hash
    .limit(1)
)


def revoke_links(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    purpose: LinkPurpose | None = None,
    request_id: int | None = None,
) -> int:
    """Revoke the bureau's live links (of one purpose/request when given); returns how many."""
    query = select(ReplyLink).where(
        ReplyLink.campaign_id == campaign_id,
        ReplyLink.bureau_code == bureau_code,
        ReplyLink.revoked_at == None,  # noqa: E711
    )
    if purpose is not None:
        query = query.where(ReplyLink.purpose == purpose)
    if request_id is not None:
        query = query.where(ReplyLink.request_id == request_id)
    links = session.exec(query).all()
    for link in links:
        link.revoked_at = utcnow()
    return len(links)

"""Issue, resolve, re-send and revoke personal reply links ({public_url}/r/{token}).

A link's token is HMAC(secret key, its random `token_salt`): the database keeps the salt
and the token's HMAC hash, never the token, so a database leak alone reveals no usable
link, while the server can derive the same token again to re-send the link (a reminder
carries the link of the original e-mail). A link opens only its own request; it stops
working when revoked, and expires when its request is settled or its campaign ended, plus
a grace period (campaign/link_expiry.py). A target (bureau, purpose, request) has at most
LIVE_LINKS_PER_TARGET live links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import bindparam, insert, tuple_, update
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from campaign.settings import get_settings
from models._common import utcnow
from models.bureau import Bureau
from models.campaign import Campaign, CampaignStatus
from models.link import LinkPurpose, ReplyLink
from models.request import ReportRequest

SALT_BYTES = 16
# Live links of one target at most: the newest one, and one older link that could not be
# re-sent (issued before tokens were derivable) so the bureau's first e-mail keeps working.
LIVE_LINKS_PER_TARGET = 2


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


def derive_token(salt: str) -> str:
    """The token of a link with this salt: 43 URL-safe characters (256 bits)."""
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, b"reply-link-token|" + salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


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

    By default earlier live links of the same target are revoked (a reissue). With
    revoke_previous=False (resend_link, when the live link cannot be derived again) the
    newest earlier ones stay live, up to LIVE_LINKS_PER_TARGET with the new one.
    """
    keep = 0 if revoke_previous else LIVE_LINKS_PER_TARGET - 1
    _revoke_beyond(session, campaign_id, bureau_code, purpose, request_id, keep=keep)
    salt = secrets.token_hex(SALT_BYTES)
    token = derive_token(salt)
    link = ReplyLink(
        token_hash=hash_token(token),
        token_salt=salt,
        purpose=purpose,
        campaign_id=campaign_id,
        bureau_code=bureau_code,
        request_id=request_id,
    )
    session.add(link)
    session.flush()
    return IssuedLink(link=link, token=token)


def issue_links(
    *,
    session: Session,
    campaign_id: int,
    purpose: LinkPurpose,
    targets: Mapping[str, int],
) -> dict[str, str]:
    """`issue_link` for many targets at once (bureau code → its request id, each target
    once): earlier live links of those targets revoked in one UPDATE, the new ones stored
    in one INSERT. Returns bureau code → the new link's URL."""
    if not targets:
        return {}
    ids = sorted(set(targets.values()))
    now = utcnow()
    session.flush()  # links added to the session count as earlier ones
    session.execute(
        update(ReplyLink)
        .where(
            col(ReplyLink.campaign_id) == campaign_id,
            col(ReplyLink.purpose) == purpose,
            col(ReplyLink.request_id).in_(ids),
            tuple_(col(ReplyLink.bureau_code), col(ReplyLink.request_id)).in_(
                sorted(targets.items())
            ),
            col(ReplyLink.revoked_at) == None,  # noqa: E711
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    rows, urls = [], {}
    for code, request_id in sorted(targets.items()):
        salt = secrets.token_hex(SALT_BYTES)
        token = derive_token(salt)
        rows.append(
            dict(
                token_hash=hash_token(token),
                token_salt=salt,
                purpose=purpose,
                campaign_id=campaign_id,
                bureau_code=code,
                request_id=request_id,
                created_at=now,
                revoked_at=None,
            )
        )
        urls[code] = link_url(token)
    session.execute(insert(ReplyLink.__table__), rows)  # type: ignore[attr-defined]
    return urls


def resend_link(
    *,
    session: Session,
    campaign_id: int,
    bureau_code: str,
    purpose: LinkPurpose,
    request_id: int | None = None,
) -> IssuedLink:
    """The target's newest live link, to be sent again (a reminder): the same URL as in
    the earlier e-mail. A new one (earlier ones kept, within the bound) only when there
    is no live link or its token cannot be derived (issued before tokens were derived)."""
    newest = _live_of(session, campaign_id, bureau_code, purpose, request_id)
    if newest and newest[0].token_salt:
        return IssuedLink(link=newest[0], token=derive_token(newest[0].token_salt))
    return issue_link(
        session=session,
        campaign_id=campaign_id,
        bureau_code=bureau_code,
        purpose=purpose,
        request_id=request_id,
        revoke_previous=False,
    )


def resend_links(
    *,
    session: Session,
    campaign_id: int,
    purpose: LinkPurpose,
    targets: Mapping[str, int],
) -> dict[str, str]:
    """`resend_link` for many targets at once (bureau code → its request id): their live
    links read in one query. Returns bureau code → URL."""
    if not targets:
        return {}
    session.flush()
    live = session.exec(
        select(ReplyLink)
        .where(
            col(ReplyLink.campaign_id) == campaign_id,
            col(ReplyLink.purpose) == purpose,
            col(ReplyLink.request_id).in_(sorted(set(targets.values()))),
            col(ReplyLink.revoked_at) == None,  # noqa: E711
        )
        .order_by(col(ReplyLink.id).desc())
    ).all()
    newest: dict[tuple[str, int | None], ReplyLink] = {}
    for link in live:
        newest.setdefault((link.bureau_code, link.request_id), link)
    urls = {}
    for code, request_id in sorted(targets.items()):
        found = newest.get((code, request_id))
        if found is not None and found.token_salt:
            urls[code] = link_url(derive_token(found.token_salt))
        else:
            urls[code] = resend_link(
                session=session,
                campaign_id=campaign_id,
                bureau_code=code,
                purpose=purpose,
                request_id=request_id,
            ).url
    return urls


def _live_of(
    session: Session,
    campaign_id: int,
    bureau_code: str,
    purpose: LinkPurpose | None,
    request_id: int | None,
) -> list[ReplyLink]:
    """The live links of a target (all purposes/requests of the bureau when None), newest
    first."""
    query = select(ReplyLink).where(
        ReplyLink.campaign_id == campaign_id,
        ReplyLink.bureau_code == bureau_code,
        ReplyLink.revoked_at == None,  # noqa: E711
    )
    if purpose is not None:
        query = query.where(ReplyLink.purpose == purpose)
    if request_id is not None:
        query = query.where(ReplyLink.request_id == request_id)
    return list(session.exec(query.order_by(col(ReplyLink.id).desc())).all())


def _revoke_beyond(
    session: Session,
    campaign_id: int,
    bureau_code: str,
    purpose: LinkPurpose | None,
    request_id: int | None,
    *,
    keep: int,
) -> int:
    links = _live_of(session, campaign_id, bureau_code, purpose, request_id)[keep:]
    for link in links:
        link.revoked_at = utcnow()
        session.add(link)
    return len(links)


class LiveLink(NamedTuple):
    """A link with the rows it points at, loaded together (request None for 签收-less
    ad-hoc links). Holding them keeps them in the session, whose identity map is weak."""

    link: ReplyLink
    campaign: Campaign
    request: ReportRequest | None
    bureau: Bureau | None


def find_link(*, session: Session, token: str) -> LiveLink | None:
    """The unrevoked link for token and its rows, in one query, whatever the state of its
    request and campaign (see campaign.link_expiry); None for forged or revoked tokens."""
    if not token or len(token) > 128:
        return None
    row = session.execute(_BY_HASH, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    link, campaign, request, bureau = row
    if link.revoked_at is not None or campaign is None:
        return None
    return LiveLink(link, campaign, request, bureau)


def replaced_link(*, session: Session, token: str) -> tuple[LiveLink, ReplyLink] | None:
    """A revoked link whose target has a newer live one (a reissue, a 退回), with that
    newer link; None for any other token. Its page tells the bureau a new link was mailed."""
    if not token or len(token) > 128:
        return None
    row = session.execute(_BY_HASH, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    link, campaign, request, bureau = row
    if link.revoked_at is None or campaign is None:
        return None
    newer = _live_of(session, link.campaign_id, link.bureau_code, link.purpose, link.request_id)
    if not newer or (newer[0].id or 0) <= (link.id or 0):
        return None
    return LiveLink(link, campaign, request, bureau), newer[0]


def live_link(*, session: Session, token: str) -> LiveLink | None:
    """The link for token while its campaign runs (active or paused); None for forged,
    revoked or ended-campaign tokens alike."""
    found = find_link(session=session, token=token)
    if found is None or found.campaign.status not in (
        CampaignStatus.active,
        CampaignStatus.paused,
    ):
        return None
    return found


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
    return _revoke_beyond(session, campaign_id, bureau_code, purpose, request_id, keep=0)

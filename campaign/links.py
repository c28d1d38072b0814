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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import bindparam, update
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from campaign.rows import chunked, detached, insert_rows
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
CHUNK = 500  # targets per query (SQLite's bound on parameters)


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


Target = tuple[str, int | None]
"""A link's target within a campaign and purpose: (bureau code, request id or None)."""


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
    target = (bureau_code, request_id)
    return issue_links(
        session=session,
        campaign_id=campaign_id,
        purpose=purpose,
        targets=[target],
        revoke_previous=revoke_previous,
    )[target]


def issue_links(
    *,
    session: Session,
    campaign_id: int,
    purpose: LinkPurpose,
    targets: Sequence[Target],
    revoke_previous: bool = True,
) -> dict[Target, IssuedLink]:
    """issue_link for many targets at once (a tick's request to 3,000 bureaus): one query
    for their live links, one UPDATE revoking the earlier ones, one INSERT of the new."""
    keep = 0 if revoke_previous else LIVE_LINKS_PER_TARGET - 1
    live = _live_by_target(session, campaign_id, purpose, targets)
    revoked = [link.id for target in targets for link in live[target][keep:]]
    if revoked:
        session.execute(
            update(ReplyLink).where(col(ReplyLink.id).in_(revoked)).values(revoked_at=utcnow())
        )
    rows, tokens = [], []
    for code, request_id in targets:
        salt = secrets.token_hex(SALT_BYTES)
        token = derive_token(salt)
        tokens.append(token)
        rows.append(
            {
                "token_hash": hash_token(token),
                "token_salt": salt,
                "purpose": purpose.value,
                "campaign_id": campaign_id,
                "bureau_code": code,
                "request_id": request_id,
                "created_at": utcnow(),
            }
        )
    ids = insert_rows(session, ReplyLink, rows, unique="token_hash")
    return {
        target: IssuedLink(link=detached(ReplyLink, row, ids[row["token_hash"]]), token=token)
        for target, row, token in zip(targets, rows, tokens, strict=True)
    }


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
    target = (bureau_code, request_id)
    return resend_links(
        session=session, campaign_id=campaign_id, purpose=purpose, targets=[target]
    )[target]


def resend_links(
    *, session: Session, campaign_id: int, purpose: LinkPurpose, targets: Sequence[Target]
) -> dict[Target, IssuedLink]:
    """resend_link for many targets at once (a tick's reminders): one query."""
    live = _live_by_target(session, campaign_id, purpose, targets)
    sent: dict[Target, IssuedLink] = {}
    for target in targets:
        newest = live[target]
        if newest and newest[0].token_salt:
            sent[target] = IssuedLink(link=newest[0], token=derive_token(newest[0].token_salt))
    missing = [target for target in targets if target not in sent]
    if missing:
        sent |= issue_links(
            session=session,
            campaign_id=campaign_id,
            purpose=purpose,
            targets=missing,
            revoke_previous=False,
        )
    return sent


def _live_by_target(
    session: Session, campaign_id: int, purpose: LinkPurpose, targets: Sequence[Target]
) -> dict[Target, list[ReplyLink]]:
    """The live links of each target, newest first; a target without a request id has
    every live link of its bureau for the purpose."""
    found: dict[Target, list[ReplyLink]] = {target: [] for target in targets}
    for chunk in chunked(sorted(found, key=lambda t: (t[0], t[1] or 0)), CHUNK):
        request_ids = {request_id for _, request_id in chunk}
        query = select(ReplyLink).where(
            ReplyLink.campaign_id == campaign_id,
            ReplyLink.purpose == purpose,
            col(ReplyLink.bureau_code).in_(sorted({code for code, _ in chunk})),
            ReplyLink.revoked_at == None,  # noqa: E711
        )
        if None not in request_ids:
            query = query.where(col(ReplyLink.request_id).in_(list(request_ids)))
        for link in session.exec(query.order_by(col(ReplyLink.id).desc())):
            for target in ((link.bureau_code, link.request_id), (link.bureau_code, None)):
                if target in found:
                    found[target].append(link)
    return found


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
    links = _live_of(session, campaign_id, bureau_code, purpose, request_id)
    for link in links:
        link.revoked_at = utcnow()
        session.add(link)
    return len(links)

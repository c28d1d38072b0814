"""The idempotency ledger on both databases: claim once, take once."""

from __future__ import annotations

from sqlmodel import select

from campaign.orchestration import ledger
from models.ledger import ActionRecord, ActionState

KEY = dict(action="request:weekly-progress", period="2007-W34")


def _rows(session):
    return session.exec(select(ActionRecord).order_by(ActionRecord.bureau_code)).all()


def test_claim_is_idempotent(session, hubei_campaign):
    for _ in range(2):
        ledger.claim(
            session=session, campaign_id=hubei_campaign, bureau_codes=["420200", "420100"], **KEY
        )
        session.commit()
    rows = _rows(session)
    assert [(r.bureau_code, r.state) for r in rows] == [
        ("420100", ActionState.pending),
        ("420200", ActionState.pending),
    ]
    codes = ledger.pending_codes(session=session, campaign_id=hubei_campaign, **KEY)
    assert codes == ["420100", "420200"]


def test_a_pending_key_is_taken_by_one_transaction_only(session, hubei_campaign):
    ledger.claim(session=session, campaign_id=hubei_campaign, bureau_codes=["420100"], **KEY)
    session.commit()
    first = ledger.take(
        session=session, campaign_id=hubei_campaign, bureau_codes=["420100", "420200"], **KEY
    )
    session.commit()
    again = ledger.take(session=session, campaign_id=hubei_campaign, bureau_codes=["420100"], **KEY)
    assert first == ["420100"]  # 420200 was never claimed
    assert again == []
    assert _rows(session)[0].state == ActionState.done
    assert ledger.pending_codes(session=session, campaign_id=hubei_campaign, **KEY) == []


def test_taken_keys_can_be_marked_skipped(session, hubei_campaign):
    ledger.claim(session=session, campaign_id=hubei_campaign, bureau_codes=["420100"], **KEY)
    ledger.take(session=session, campaign_id=hubei_campaign, bureau_codes=["420100"], **KEY)
    ledger.mark(
        session=session,
        campaign_id=hubei_campaign,
        bureau_codes=["420100"],
        state=ActionState.skipped,
        reason="answered",
        **KEY,
    )
    session.commit()
    row = _rows(session)[0]
    assert (row.state, row.detail) == (ActionState.skipped, {"reason": "answered"})


def test_a_rolled_back_take_leaves_the_key_pending(session, hubei_campaign):
    ledger.claim(session=session, campaign_id=hubei_campaign, bureau_codes=["420100"], **KEY)
    session.commit()
    assert ledger.take(session=session, campaign_id=hubei_campaign, bureau_codes=["420100"], **KEY)
    session.rollback()  # the effect failed: nothing happened, the key waits for the next tick
    assert ledger.pending_codes(session=session, campaign_id=hubei_campaign, **KEY) == ["420100"]

"""The "launch the Hubei plan" setup every test area needs, in one place."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from campaign.bureaus import import_bureau_csv
from campaign.orchestration.launch import launch_campaign, validated_plan
from campaign.workdays import WorkCalendar
from models.audit import Channel

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUBEI_PLAN = EXAMPLES / "hubei-2007.yaml"
HUBEI_BUREAUS = EXAMPLES / "bureaus-hubei.csv"


def import_hubei_bureaus(session: Session) -> None:
    """The province bureau and its 17 city-level units (committed by the caller)."""
    import_bureau_csv(session=session, raw=HUBEI_BUREAUS.read_bytes())


def launch_plan(session: Session, raw: bytes | None = None, source: str = "") -> int:
    """Launch a plan (default: the Hubei example) as the CLI would; returns its id. The
    caller commits (session_scope) or the helper's caller does."""
    if raw is None:
        raw, source = HUBEI_PLAN.read_bytes(), source or str(HUBEI_PLAN)
    source = source or "test plan"
    plan, plan_text = validated_plan(raw, source)
    campaign = launch_campaign(
        session=session,
        plan=plan,
        plan_text=plan_text,
        source=source,
        work=WorkCalendar(),
        actor="tester",
        channel=Channel.cli,
    )
    assert campaign.id is not None
    return campaign.id

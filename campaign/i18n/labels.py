"""Words for the codes a person would otherwise read: audit events, event kinds, states.

The codes stay in files, the database and --json output; the labels are what the command
line shows, translated through the catalogue (English msgids, Chinese in the .po).
"""

from __future__ import annotations

from typing import Any

from campaign.i18n import N_, _

AUDIT_EVENTS: dict[str, str] = {
    "campaign_launched": N_("campaign launched"),
    "campaign_paused": N_("campaign paused"),
    "campaign_resumed": N_("campaign resumed"),
    "campaign_cancelled": N_("campaign cancelled"),
    "campaign_completed": N_("campaign completed"),
    "dates_amended": N_("dates amended"),
    "directive_issued": N_("directive sent"),
    "directive_acknowledged": N_("directive acknowledged"),
    "directive_forwarded": N_("directive forwarded"),
    "request_opened": N_("report requested"),
    "reminder_sent": N_("reminder sent"),
    "escalation_sent": N_("escalation sent"),
    "request_overdue": N_("report overdue"),
    "request_closed": N_("request closed"),
    "answer_received": N_("answer received"),
    "answer_accepted": N_("answer accepted"),
    "answer_returned": N_("answer returned"),
    "summary_compiled": N_("summary compiled"),
    "acceptance_compiled": N_("acceptance report compiled"),
    "link_issued": N_("link issued"),
    "links_revoked": N_("links revoked"),
    "mail_failed": N_("mail failed"),
}

DETAIL_KEYS: dict[str, str] = {
    "request_id": N_("request"),
    "submission_id": N_("answer"),
    "version": N_("version"),
    "due": N_("due"),
    "ack_due": N_("acknowledge by"),
    "previous_due": N_("previous due date"),
    "late": N_("late"),
    "reason": N_("reason"),
    "comment": N_("comment"),
    "purpose": N_("link for"),
    "count": N_("count"),
    "summary_id": N_("summary"),
    "requests_closed": N_("requests closed"),
    "requests_moved": N_("requests re-dated"),
    "window": N_("phase or action"),
    "recipients": N_("sent to"),
    "period": N_("period"),
    "duty": N_("duty"),
    "template": N_("template"),
    "source": N_("source"),
    "document_number": N_("document number"),
    "message": N_("message"),
    "old": N_("before"),
    "new": N_("after"),
}
# Internal keys a person does not need in the log (they stay in --json).
HIDDEN_DETAIL = frozenset(
    {"action", "key", "message_key", "link_id", "ack_request_id", "frozen", "template"}
)

EVENT_KINDS: dict[str, str] = {
    "directive": N_("directive"),
    "request": N_("report request"),
    "reminder": N_("reminder"),
    "escalation": N_("escalation"),
    "stage_summary": N_("stage summary"),
    "final_summary": N_("final summary"),
    "summary": N_("summary"),
    "acceptance": N_("acceptance"),
    "task_progress": N_("task progress"),
    "aggregate": N_("aggregate report"),
}

CAMPAIGN_STATES: dict[str, str] = {
    "active": N_("active"),
    "paused": N_("paused"),
    "cancelled": N_("cancelled"),
    "completed": N_("completed"),
}

REVIEW_STATES: dict[str, str] = {
    "pending": N_("pending review"),
    "accepted": N_("accepted"),
    "returned": N_("returned"),
}

MAIL_STATES: dict[str, str] = {
    "pending": N_("pending"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "failed": N_("failed"),
}

CHANNELS: dict[str, str] = {
    "cli": N_("command line"),
    "web": N_("web form"),
    "xlsx": N_("table"),
    "tick": N_("tick"),
    "review": N_("review"),
    "system": N_("system"),
    "mail": N_("e-mail"),
    "email": N_("e-mail"),
}


def label(table: dict[str, str], code: Any) -> str:
    """The translated label of a code, or the code itself when it has none."""
    text = str(getattr(code, "value", code))
    return _(table[text]) if text in table else text


def audit_detail(detail: dict[str, Any]) -> str:
    """An audit entry's detail in words: labelled values, internal keys left out."""
    parts = []
    for key, value in detail.items():
        if key in HIDDEN_DETAIL or value in (None, "", 0, [], {}):
            continue
        if value is True:
            parts.append(label(DETAIL_KEYS, key))
            continue
        parts.append(f"{label(DETAIL_KEYS, key)} {value}")
    return _("; ").join(parts)

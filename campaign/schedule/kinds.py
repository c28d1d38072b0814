"""Every kind of scheduled event, in one registry: a new kind is one entry in `KINDS`.

Each entry says
- its order: the position in `KINDS` is the order of one day's events (a directive
  before the requests it opens, reminders after them, the acceptance last);
- its effect: how the tick carries it out (`campaign.orchestration.actions.EFFECTS`
  has one handler per effect; escalations are gathered per parent unit);
- its audience: whom it concerns (a bureau level of the plan, the units that have not
  answered, or the campaign as a whole: one ledger key);
- its notice: the e-mail it queues to each unit (campaign.mail.notices), if any, and the
  audit entry it records;
- whether it compiles a summary (`compiles`), and whether the reports it asks for are
  compiled into one the day after they are due (`summarised`);
- for a request, the duty kind of the plan whose periods it opens (`duty_kind`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Effect(StrEnum):
    directive = "directive"  # issue the directive, open its acknowledgement (签收)
    request = "request"  # open a report request per unit
    remind = "remind"  # remind the units that have not answered
    escalate = "escalate"  # one notice per parent unit listing its late units
    compile = "compile"  # compile a summary of the reports


class Audience(StrEnum):
    directed = "directed"  # the plan's directive_to level
    reporters = "reporters"  # the duty's reporters
    relays = "relays"  # the via units of a routed duty's reporters (campaign.plan.routing)
    unanswered = "unanswered"  # units whose request for the period is unanswered
    campaign = "campaign"  # the campaign as a whole (one ledger key)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what `campaign schedule` calls it (zh-CN)
    effect: Effect
    audience: Audience  # whom it concerns
    notice: str | None  # the notice queued to each unit (None: no mail)
    audit: str  # the audit-trail event recorded
    duty_kind: str | None = None  # the plan's duty kind whose periods it opens
    summarised: bool = False  # its reports are compiled the day after they are due

    @property
    def order(self) -> int:
        return KINDS.index(self)

    @property
    def opens_request(self) -> bool:
        return self.effect is Effect.request

    @property
    def chases(self) -> bool:
        return self.audience is Audience.unanswered

    @property
    def compiles(self) -> bool:
        return self.effect is Effect.compile


KINDS: tuple[Kind, ...] = (
    Kind(
        "directive", "下发通知", Effect.directive, Audience.directed, "directive",
        "directive_issued",
    ),
    Kind(
        "request", "报送要求", Effect.request, Audience.reporters, "request", "request_opened",
        duty_kind="progress",
    ),
    Kind(
        "stage_summary", "阶段小结报送", Effect.request, Audience.reporters, "request",
        "request_opened", duty_kind="stage_summary", summarised=True,
    ),
    Kind(
        "final_summary", "总结报送", Effect.request, Audience.reporters, "request",
        "request_opened", duty_kind="final_summary", summarised=True,
    ),
    Kind(
        "task_progress", "任务进展报送", Effect.request, Audience.reporters, "request",
        "request_opened", duty_kind="task",
    ),
    Kind(
        "aggregate", "汇总上报", Effect.request, Audience.relays, "request", "request_opened",
    ),
    Kind("reminder", "催报", Effect.remind, Audience.unanswered, "reminder", "reminder_sent"),
    Kind(
        "escalation", "逾期督办", Effect.escalate, Audience.unanswered, "escalation",
        "escalation_sent",
    ),
    Kind("summary", "汇总小结", Effect.compile, Audience.campaign, None, "summary_compiled"),
    Kind("acceptance", "检查验收", Effect.compile, Audience.campaign, None, "acceptance_compiled"),
)  # fmt: skip


def kind(name: str) -> Kind:
    """The registry entry of an event kind."""
    for entry in KINDS:
        if entry.name == name:
            return entry
    raise LookupError(f"no event kind {name!r}")


def request_kind(duty_kind: str) -> str:
    """The event kind that opens the requests of a duty of this kind (progress: request)."""
    return next((k.name for k in KINDS if k.duty_kind == duty_kind), "request")


def is_request_kind(name: str) -> bool:
    return kind(name).opens_request

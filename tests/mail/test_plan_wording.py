"""Every mail and the bureau's pages speak only their own plan's words: rendered for each
example plan (Hubei's 专项整治 of the city bureaus, Guangdong's 质量和安全年, Fujian's
政务公开 of the bureau's own 处室, the illustrative e-bike plan), none carries a word of
another plan that its own plan and registry do not say.

The contexts are the builders' (campaign.mail.followups, notices, the web views), built
in memory from the plan's own schedule, duties and forms: no database is needed to render.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from campaign.documents import build_directive
from campaign.forwarding.notice import Forwarding, forward_notice
from campaign.mail.followups import _local, _request_context, _rows
from campaign.mail.queue import NOTICES
from campaign.mail.render import render_notice
from campaign.plan.schema import Document, Plan
from campaign.replies.receipt import receipt_context
from campaign.replies.reply_context import ReplyContext
from campaign.results.digest import Digest
from campaign.schedule import build_schedule
from campaign.web.form_view import acknowledge_page, report_page
from campaign.web.pages import render_text
from models.bureau import Bureau
from models.campaign import Campaign
from models.link import LinkPurpose
from models.rectification import RectificationOrder
from models.request import ReportRequest, RequestKind
from models.submission import ReportSubmission
from tests.support.wording import (
    MARKERS,
    PLAN_NAMES,
    example_plan,
    foreign_words,
    own_words,
    registry,
)


class World:
    """One plan's campaign, a reporting unit, its parent, a request, an 签收 and an answer."""

    def __init__(self, name: str, plan: Plan | None = None) -> None:
        self.plan = plan or example_plan(name)
        self.units = registry(name, self.plan)
        self.root = next(u for u in self.units if u.code == self.plan.root_bureau)
        self.unit = next(u for u in self.units if u.parent_code == self.root.code)
        events = build_schedule(self.plan)
        owed = [e for e in events if e.duty and e.kind not in ("reminder", "escalation")]
        with_form = [e for e in owed if self.plan.duty(e.duty).form]  # type: ignore[arg-type]
        asked = (with_form or owed)[0]
        self.directive_event = next(e for e in events if e.kind == "directive")
        self.duty = self.plan.duty(asked.duty)  # type: ignore[arg-type]
        self.form = self.plan.form(self.duty.form) if self.duty.form else None
        self.campaign = Campaign(
            id=1,
            document_number=self.plan.document_number,
            title=self.plan.title,
            plan_yaml="",
            plan_sha256="0" * 64,
        )
        self.due = asked.due or self.plan.end
        self.request = ReportRequest(
            id=1, campaign_id=1, duty_key=asked.duty, period_key=asked.period or "p1",
            period_label=asked.period_label or asked.phase or "本期", bureau_code=self.unit.code,
            kind=RequestKind.request, due_date=self.due,
        )  # fmt: skip
        self.ack = ReportRequest(
            id=2, campaign_id=1, duty_key="acknowledgement", period_key=self.directive_event.key,
            period_label="通知签收", bureau_code=self.unit.code,
            kind=RequestKind.acknowledgement, due_date=self.directive_event.date,
        )  # fmt: skip
        values = {f.key: "1" for f in self.form.fields} if self.form else {}
        self.submission = ReportSubmission(
            id=7, request_id=1, campaign_id=1, bureau_code=self.unit.code, version=2,
            values=values, narrative="按要求开展了工作。", channel="web", late=True,
            submitted_at=datetime.combine(self.due, datetime.min.time(), UTC),
        )  # fmt: skip

    def base(self, bureau: Bureau) -> dict[str, Any]:
        return {"campaign": self.campaign, "plan": self.plan, "office": self.plan.office,
                "bureau": bureau}  # fmt: skip

    def mails(self) -> dict[str, list[dict[str, Any]]]:
        """Each notice's contexts, one per shape of its text (before/after due, 签收…)."""
        plan, unit, request, answer = self.plan, self.unit, self.request, self.submission
        asked = _request_context(plan, request)
        acked = _request_context(plan, self.ack)
        link = {"link_url": "http://x/r/token"}
        directive = build_directive(plan=plan, event=self.directive_event)
        after = self.due + timedelta(days=3)
        order = RectificationOrder(
            id=1, campaign_id=1, number=3, bureau_code=unit.code, what="台账不全",
            deadline=self.due, request_id=request.id or 0, ordered_by="office",
            ordered_at=datetime(2000, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        rectify = {"order": order, "request": request, "inspection": None, "as_of": after,
                   "overdue_days": 3, **link}  # fmt: skip
        ordered = {**asked, "order": order, "overdue_days": 3}  # an order among the late
        late = [{**asked, "overdue_days": 3}, {**acked, "overdue_days": 3}, ordered]
        escalation = {"as_of": after, "units": [{"bureau": unit, "late": late}], "item_count": 3,
                      "acknowledgement_only": False, "has_acknowledgement": True,
                      "forward_only": False}  # fmt: skip
        notice = forward_notice(
            unit=unit, directive=directive, issuer=plan.issuing_authority,
            forwarding=Forwarding(document_number="某发〔2000〕1号", title="关于转发的通知",
                                  requirements=["要求。"], issued_on=self.due, recipients=[]),
            recipients=unit.name, acknowledge_by=self.due,
        )  # fmt: skip
        total = {"label": "数量", "total": 5, "median": None, "unit": "个"}
        digest = Digest(
            duty=self.duty.key, duty_name=self.duty.name, period=request.period_key,
            period_label=request.period_label, due=self.due, on_time=[unit.name],
            late=[], missing=[self.root.name], period_totals=[total], cumulative_totals=[total],
        )  # fmt: skip
        return {
            "directive": [{"directive": directive, "event": self.directive_event, **link,
                           "ack_by": directive.acknowledge_by, "attachment_name": "通知.docx",
                           "forward_by": self.due, "forward_url": "http://x/forward"}],
            "request": [{**asked, **link, "attachment_name": "表.xlsx"}],
            "acknowledgement": [{"request": self.ack, "directive_title": directive.title,
                                 "acknowledged_at": _local(plan, answer.submitted_at)}],
            "reminder": [{**asked, **link, "as_of": self.due, "overdue_days": 0},
                         {**asked, **link, "as_of": after, "overdue_days": 3},
                         {**acked, **link, "as_of": after, "overdue_days": 3},
                         {**asked, **link, "as_of": after, "overdue_days": 3,
                          "is_forward": True}],
            "escalation": [{**escalation, "parent": self.root}, {**escalation, "parent": unit}],
            "receipt": [{**asked, "submission": answer, "rows": _rows(self.form, answer.values),
                         "submitted_at": _local(plan, answer.submitted_at)}],
            "rejection": [{**asked, **link, "reasons": ["缺少情况说明"], "reply_by_mail": True}],
            "returned": [{**asked, **link, "submission": answer, "comment": "请核实。",
                          "new_due": after}],
            "ad_hoc_alert": [{"reporting_bureau": unit, "submission": answer,
                              "category": "重大情况",
                              "submitted_at": _local(plan, answer.submitted_at),
                              "narrative": answer.narrative, "review_url": "http://x/review/7"}],
            "link_reissued": [{**asked, **link}, {"request": None, "is_acknowledgement": False,
                                                  **link}],
            "rectification": [{**rectify, "step": step} for step in ("order", "reminder")],
            "digest": [{"digest": digest, "as_of": after}],
            "forward": [{"unit": unit, "notice": notice, "directive": directive, **link,
                         "ack_by": self.due, "attachment_name": "通知.docx",
                         "directive_attachment_name": "原通知.docx"}],
        }  # fmt: skip

    def rendered_mails(self) -> dict[str, str]:
        out = {}
        for notice, contexts in self.mails().items():
            for i, context in enumerate(contexts):
                bureau = self.root if notice in ("ad_hoc_alert", "digest") else self.unit
                r = render_notice(template=notice, context=self.base(bureau) | context)
                out[f"{notice}[{i}]"] = "\n".join((r.subject, r.text, r.html))
        return out

    def pages(self) -> dict[str, str]:
        now = datetime.combine(self.due, datetime.min.time(), UTC)
        target = ReplyContext(
            campaign=self.campaign, plan=self.plan, bureau=self.unit,
            purpose=LinkPurpose.report, request=self.request, link=None,
            duty=self.duty, form=self.form,
        )  # fmt: skip
        out = {}
        if self.form is not None:
            form = report_page(
                session=None,  # type: ignore[arg-type]  # entries given: nothing is read
                target=target, now=now, token="t", csrf_token="c", entered={}, narrative="",
            )  # fmt: skip
            out["report_form"] = render_text("report_form.html", **form)
        r = receipt_context(target, self.submission)
        out["receipt"] = render_text(
            "receipt.html", title="报送回执", campaign=self.campaign, r=r, attachments=[],
            duplicate=False, back_url="/r/t",
        )  # fmt: skip
        ack = ReplyContext(**{**target.__dict__, "purpose": LinkPurpose.acknowledge,
                              "request": self.ack, "duty": None, "form": None})  # fmt: skip
        out["acknowledge"] = render_text(
            "acknowledge.html", **acknowledge_page(target=ack, now=now, token="t", csrf_token="c")
        )
        return out


@pytest.mark.parametrize("name", PLAN_NAMES)
def test_every_mail_speaks_only_its_plans_words(name: str) -> None:
    world = World(name)
    mails = world.rendered_mails()
    assert {key.split("[")[0] for key in mails} == NOTICES  # every notice, none forgotten
    own = own_words(world.plan, world.units)
    found = {key: foreign_words(text, own) for key, text in mails.items()}
    assert {key: words for key, words in found.items() if words} == {}


@pytest.mark.parametrize("name", PLAN_NAMES)
def test_the_bureaus_pages_speak_only_their_plans_words(name: str) -> None:
    world = World(name)
    pages = world.pages()
    own = own_words(world.plan, world.units)
    found = {key: foreign_words(text, own) for key, text in pages.items()}
    assert {key: words for key, words in found.items() if words} == {}


def test_mail_and_pages_name_the_issuer_as_its_plan_does() -> None:
    """Hubei says 省局; a plan without issuer_short is named by its issuing_authority;
    nothing says 省局 of a bureau its plan does not call so."""
    hubei = World("hubei-2007")
    assert hubei.plan.issuer == "省局"
    mails = hubei.rendered_mails()
    assert "逾期未报的，省局将予以催报并通报。" in mails["request[0]"]
    assert "省局已于" in mails["receipt[0]"]
    assert "报送内容待省局审核" in hubei.pages()["receipt"]

    plan = example_plan("hubei-2007")
    city = plan.model_copy(
        update={
            "issuing_authority": "武汉市质量技术监督局",
            "document": Document.model_validate(
                plan.document.model_dump() | {"issuer_short": None}
            ),
            "office": plan.office.model_copy(update={"name": "武汉市质量技术监督局办公室"}),
        }
    )
    world = World("hubei-2007", city)
    assert world.plan.issuer == "武汉市质量技术监督局"
    mails = world.rendered_mails()
    del mails["directive[0]"]  # the 通知 quotes the plan's tasks (省局人劳处…): its own test
    pages = world.pages()
    del pages["acknowledge"]  # the 签收 page lists the same tasks
    texts = {**mails, **pages}
    assert {key for key, text in texts.items() if "省局" in text} == set()
    assert "逾期未报的，武汉市质量技术监督局将予以催报并通报。" in mails["request[0]"]
    assert "报送内容待武汉市质量技术监督局审核" in texts["receipt"]


def test_a_cumulative_field_counts_from_the_plans_start_in_its_own_words() -> None:
    hubei = World("hubei-2007")
    assert hubei.form is not None and any(f.accumulation == "cumulative" for f in hubei.form.fields)
    assert "自方案实施以来累计" in hubei.rendered_mails()["request[0]"]
    assert "自方案实施以来累计，不得小于上次审核通过的数" in hubei.pages()["report_form"]


def test_the_console_and_the_app_use_no_plans_words() -> None:
    """The console's word for a campaign and the app's title fit every plan's shape."""
    from campaign.web.app import create_app
    from campaign.web.console_routes import NO_CAMPAIGN

    page = render_text("console_campaigns.html", title="工作方案", campaigns=[], who="审核员",
                       csrf_token="c")  # fmt: skip
    assert "尚未启动工作方案。" in page
    for text in (page, NO_CAMPAIGN, create_app().title):
        assert [w for w in MARKERS if w in text] == [], text

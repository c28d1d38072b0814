"""Chinese mail as Foxmail, Outlook and webmail send it, read through the IMAP server:
GB2312 / GBK / GB18030 bodies, RFC 2231 and RFC 2047 attachment names, raw 8-bit names,
HTML-only bodies, quoted history."""

from __future__ import annotations

import pytest
from replies.factories import numeric_entries
from sqlmodel import select

from campaign.inbox.fetch import fetch_inbox
from campaign.inbox.parse import parse_mail, strip_quoted
from models.attachment import AttachmentKind, SubmissionAttachment
from models.inbox import InboxMessage, InboxOutcome
from models.submission import ReportSubmission

from .checks import WUHAN
from .mails import filled_table, reply

NAME = "工作进展情况统计表（武汉市第4周）.xlsx"
# 堃 is in GBK but not GB2312; 𠀀 needs GB18030's four-byte form.
BODY = {
    "utf-8": "检查员李堃：本周检查企业85家次。",
    "gb2312": "检查员李堃：本周检查企业85家次。",
    "gbk": "检查员李堃：本周检查企业85家次。",
    "gb18030": "检查员李堃𠀀：本周检查企业85家次。",
}


@pytest.mark.parametrize("charset", ["gb2312", "gbk", "gb18030", "utf-8"])
@pytest.mark.parametrize("style", ["rfc2231", "rfc2231-continued", "rfc2047", "raw"])
def test_chinese_bodies_and_file_names(lite_session, lite_mail_world, imap, charset, style):
    session, mw = lite_session, lite_mail_world
    table = filled_table(mw.tables["wuhan"], numeric_entries(), narrative="")
    imap.append(
        mw.reply(
            "wuhan",
            (NAME, table),
            charset=charset,
            body=BODY[charset] + "\n\n-----原始邮件-----\n发件人：湖北省质监局",
            name_style=style,
        )
    )
    fetch_inbox()
    row = session.exec(select(InboxMessage)).one()
    assert row.outcome == InboxOutcome.accepted, row.reason
    assert row.subject == "回复：湖北省质监局关于报送工作进展情况的通知"
    assert row.from_name == "信息报送员"
    submission = session.get_one(ReportSubmission, row.submission_id)
    assert submission.narrative == BODY[charset]
    source = session.exec(
        select(SubmissionAttachment).where(SubmissionAttachment.kind == AttachmentKind.source_xlsx)
    ).one()
    assert source.filename == NAME


def test_an_html_only_body_loses_its_markup_and_quoted_history():
    raw = reply(
        sender=WUHAN,
        charset="gbk",
        html=True,
        body="<div>本周情况：<b>良好</b>&nbsp;无事故</div><blockquote>原通知内容</blockquote>",
    )
    assert parse_mail(raw).body == "本周情况：良好 无事故"


@pytest.mark.parametrize(
    "history",
    [
        '------------------ 原始邮件 ------------------\n发件人: "省局"<a@b.org>',
        "-----Original Message-----\nFrom: office",
        "在 2007年9月13日 10:00，湖北省质监局 写道：\n> 请报送",
        "On Thu, Sep 13, 2007 at 10:00, office wrote:\n> please",
        "发件人：湖北省质监局\n发送时间：2007年9月13日",
        "________________________________\n发件人: office",
    ],
)
def test_quoted_history_is_cut(history):
    assert strip_quoted(f"已报送。\n> 引用一行\n\n{history}\n旧内容") == "已报送。"

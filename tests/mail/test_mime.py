"""The hand-assembled MIME reads back correctly with the stdlib parser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaign.mail.addresses import Address, parse_address
from campaign.mail.errors import MailRefused
from campaign.mail.mime import Part, build_message, encode_base64, make_message_id
from tests.mail.conftest import body, parse


def test_parts_headers_and_attachments_round_trip() -> None:
    docx = b"PK\x03\x04" + bytes(range(256)) * 200
    message_id = make_message_id(campaign_id=7, domain="hbqts.example.org")
    data = build_message(
        sender=Address("湖北省质量技术监督局", "zxzz-office@hbqts.example.org"),
        to=[Address("武汉市质量技术监督局", "wuhan@hbqts.example.org")],
        cc=[Address('O"Brien, Pat', "pat@example.org"), Address("", "plain@example.org")],
        subject="【通知】" + "关于做好专项整治工作的通知" * 8,
        message_id=message_id,
        date=datetime(2007, 8, 27, 1, 0, tzinfo=UTC),
        text="正文第一段。\n第二段。",
        html="<p>正文第一段。</p>",
        attachments=[
            Part("通知（鄂质监发〔2007〕77号）.docx", "application/x-test", encode_base64(docx))
        ],
        extra_headers=[("X-Campaign-Key", "7/directive:mobilization")],
    )
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")
    message = parse(data)
    assert message["Subject"] == "【通知】" + "关于做好专项整治工作的通知" * 8
    assert message["Message-ID"] == message_id
    assert message["To"].addresses[0].display_name == "武汉市质量技术监督局"
    assert [a.display_name for a in message["Cc"].addresses] == ['O"Brien, Pat', ""]
    assert message["X-Campaign-Key"] == "7/directive:mobilization"
    assert body(message, "plain") == "正文第一段。\n第二段。"
    assert body(message, "html") == "<p>正文第一段。</p>"
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == "通知（鄂质监发〔2007〕77号）.docx"
    assert part.get_content() == docx


NAME = "恩施土家族苗族自治州质量技术监督局"  # 51 bytes: two encoded words


@pytest.mark.parametrize(
    "text",
    [
        "短",
        "【催报】" + "第123号市质量技术监督局𠀋𝄞" * 9 + " ASCII in between, é à ü" * 3,
        "x" * 950,  # ASCII too long for one line
    ],
)
def test_encoded_words_read_back_and_keep_lines_short(text: str) -> None:
    data = build_message(
        sender=Address("", "zxzz-office@hbqts.example.org"),
        to=[Address(NAME, "wuhan@hbqts.example.org")],
        cc=[],
        subject=text,
        message_id="<words@hbqts.example.org>",
        date=datetime(2007, 8, 27, 1, 0, tzinfo=UTC),
        text="正文",
        html="<p>正文</p>",
        attachments=[Part(text[:80] + ".xlsx", "application/x-test", encode_base64(b"x"))],
    )
    lines = data.split(b"\r\n")
    assert all(len(line) <= 78 for line in lines if b"=?utf-8?b?" in line and b"name=" not in line)
    assert all(len(line) <= 998 for line in lines)
    message = parse(data)
    assert message["Subject"] == text
    # the stdlib's parser puts a space between the two words (RFC 2047 6.2: to be dropped)
    assert message["To"].addresses[0].display_name.replace(" ", "") == NAME
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == text[:80] + ".xlsx"


def test_header_injection_is_refused_at_build() -> None:
    with pytest.raises(MailRefused, match="line break"):
        build_message(
            sender=Address("", "a@b.org"),
            to=[Address("", "c@d.org")],
            cc=[],
            subject="hello\nBcc: x@y.org",
            message_id="<1@b.org>",
            date=datetime(2007, 8, 27, tzinfo=UTC),
            text="x",
            html="x",
        )


def test_parse_address_forms() -> None:
    assert parse_address("武汉市局 <wuhan@hbqts.example.org>") == Address(
        "武汉市局", "wuhan@hbqts.example.org"
    )
    assert parse_address("plain@example.org") == Address("", "plain@example.org")
    with pytest.raises(MailRefused):
        parse_address("武汉市局 <wuhan@>")

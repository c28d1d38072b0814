"""What the intake says, in Chinese: reasons shown to the coordinator and to the bureau."""

from __future__ import annotations

from typing import Any

from campaign.inbox.parse import ParsedMail

ACCEPTED = "已受理，回执已发出"
ACKNOWLEDGED = "回复通知邮件，视为签收；签收回执已发出"
ALREADY_ACKNOWLEDGED = "回复通知邮件；该通知此前已签收"
OWN_MAIL = "本系统自己发出的邮件，不予处理"
AUTO_REPLY = "自动回复（休假、外出等），不予处理，也不回复"
BOUNCE = "退信（邮件无法投递），请核实收件单位的邮箱地址"
NO_TABLE = (
    "邮件中没有统计表附件。请直接回复本邮件，附上随通知发送的统计表（.xlsx），"
    "或通过通知中的专用链接在线填报"
)
TOO_LONG = "邮件正文或统计表中的内容过长，请精简后重新报送"
DISMISSED = "已由{actor}忽略"


def too_large(size: int) -> str:
    megabytes = max(1, round(size / 1024 / 1024))
    return (
        f"邮件过大（约{megabytes} MB），系统未予接收。统计表不得超过5 MB，其他附件每个不超过"
        "5 MB；请只附统计表和必要的附件后重新发送，较大的材料请另行报送"
    )


def two_tables(names: list[str]) -> str:
    listed = "、".join(f"“{n}”" for n in names)
    return (
        f"邮件附有{len(names)}份统计表（{listed}），无法确定以哪一份为准。"
        "请每封邮件只附一份统计表后重新发送"
    )


def unrecognised(mail: ParsedMail, complete: bool) -> str:
    if not complete:
        return "邮件过大，未下载；且无法从邮件头判断是对哪份报送通知的答复"
    if mail.tables:
        return (
            "附件统计表没有表内标识（可能不是随通知发送的表格），邮件也不是对通知邮件的回复，"
            "无法判断属于哪份报送通知"
        )
    return "邮件不是对通知邮件的回复，也没有随通知发送的统计表，无法判断属于哪份报送通知"


def unknown_sender(address: str, bureau: str) -> str:
    return (
        f"发件人{address or '（空）'}不是{bureau}登记的邮箱（可能是冒用，也可能是该单位的新邮箱）。"
        "请核实后指定给相应报送事项（可同时登记此邮箱），或忽略"
    )


def other_bureau(address: str, sender_bureau: str, bureau: str, via: str) -> str:
    what = "附件统计表" if via == "meta" else "所回复的通知"
    return (
        f"{what}属于{bureau}，但发件人{address}是{sender_bureau}的邮箱"
        "（可能误附了其他单位的表格，或代为报送）。请核实后指定或忽略"
    )


def too_many_replies(limit: int) -> str:
    return f"24小时内已向该发件人自动回复{limit}次，为防止邮件循环，本邮件转人工处理"


def bounced(subject: str, bureau: str, to: list[Any]) -> str:
    addresses = "、".join(a.get("email", "") for a in to)
    return f"退信：发往{bureau}（{addresses}）的邮件《{subject}》无法投递，请核实该单位的邮箱地址"


def failed_authentication(address: str, found: str) -> str:
    return (
        f"收信服务器对发件人{address}的验证未通过（{found}），可能是冒用该单位邮箱发出的邮件。"
        "请与该单位核实后再指定或忽略"
    )

"""Mail: notices rendered from templates, stored in the outbox, sent over SMTP.

- notices.py: queue_notice and the builders (directive, request, reminder, …): the public
  interface for the tick and the replies; nothing is sent there.
- sender.py: send_pending, the batch sender (one connection, throttled, crash-safe).
- claims.py: who is sending which rows; taking over the claims of senders that died.
- server.py: the demo SMTP server that keeps mail in a Maildir.
See docs/mail.md.
"""

from campaign.mail.attempts import SendReport
from campaign.mail.errors import MailRefused, SmtpUnavailable
from campaign.mail.outbox import Attachment
from campaign.mail.sender import send_pending

__all__ = ["Attachment", "MailRefused", "SendReport", "SmtpUnavailable", "send_pending"]

"""SQLModel tables and pydantic schemas, one module per domain noun.

Importing this package registers every table on SQLModel.metadata (alembic reads it).
"""

from models.account import ConsoleAccount as ConsoleAccount  # web
from models.attachment import SubmissionAttachment as SubmissionAttachment  # replies
from models.audit import AuditEvent
from models.bureau import Bureau, BureauCreate, BureauLevel
from models.campaign import Campaign, CampaignStatus
from models.coordinator_session import CoordinatorSession as CoordinatorSession  # web
from models.form_nonce import FormNonce as FormNonce  # replies
from models.forwarding import ForwardRecord as ForwardRecord  # forwarding
from models.inbox import InboxMessage as InboxMessage  # inbox
from models.inbox import InboxSender as InboxSender  # inbox
from models.ledger import ActionRecord, ActionState
from models.link import LinkPurpose, ReplyLink
from models.outbox import MailState, OutboxBlob, OutboxMessage  # noqa: F401
from models.rectification import Inspection as Inspection  # acceptance
from models.rectification import RectificationOrder as RectificationOrder  # acceptance
from models.request import ReportRequest, RequestStatus
from models.schedule import ScheduledEvent as ScheduledEvent  # orchestration
from models.submission import ReportSubmission, ReviewStatus
from models.summary import CampaignSummary as CampaignSummary  # orchestration
from models.task import TrackedTask as TrackedTask  # tasks

__all__ = [
    "ActionRecord",
    "ActionState",
    "AuditEvent",
    "Bureau",
    "BureauCreate",
    "BureauLevel",
    "Campaign",
    "CampaignStatus",
    "LinkPurpose",
    "ReplyLink",
    "ReportRequest",
    "ReportSubmission",
    "RequestStatus",
    "ReviewStatus",
]

"""SQLModel tables and pydantic schemas, one module per domain noun.

Importing this package registers every table on SQLModel.metadata (alembic reads it).
"""

from models.audit import AuditEvent
from models.bureau import Bureau, BureauCreate, BureauLevel
from models.campaign import Campaign, CampaignStatus
from models.ledger import ActionRecord, ActionState
from models.link import LinkPurpose, ReplyLink
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus

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

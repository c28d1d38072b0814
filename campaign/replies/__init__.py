"""Bureau replies: validation, submission, .xlsx parsing, acknowledgement, review.

Every entry point (web form, .xlsx upload, CLI) calls the same keyword-only functions.
"""

from campaign.replies.acknowledge import acknowledge
from campaign.replies.errors import (
    Problem,
    ReplyError,
    ReportInvalid,
    RequestClosed,
    RequestSettled,
    UploadRejected,
    WrongLink,
)
from campaign.replies.review import (
    ReviewError,
    accept_submission,
    return_submission,
    review_queue,
)
from campaign.replies.submit import submit_report
from campaign.replies.validation import validate_report

__all__ = [
    "Problem",
    "ReplyError",
    "ReportInvalid",
    "RequestClosed",
    "RequestSettled",
    "ReviewError",
    "UploadRejected",
    "WrongLink",
    "accept_submission",
    "acknowledge",
    "return_submission",
    "review_queue",
    "submit_report",
    "validate_report",
]

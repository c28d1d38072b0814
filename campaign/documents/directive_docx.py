"""The directive as a .docx: a 公文 laid out per GB/T 9704-2012 (see gbt9704.py)."""

from __future__ import annotations

from campaign.documents.directive import Directive
from campaign.documents.gbt9704 import official_docx


def directive_docx(directive: Directive) -> bytes:
    """The .docx bytes of a directive."""
    return official_docx(directive)

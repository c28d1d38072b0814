"""Documents the campaign sends: the directive (.docx and HTML preview) and the .xlsx table."""

from campaign.documents.directive import Directive, build_directive
from campaign.documents.directive_docx import directive_docx
from campaign.documents.gbt9704 import official_docx
from campaign.documents.official import Appendix, Block, OfficialDocument
from campaign.documents.preview import directive_html
from campaign.documents.xlsx_table import write_table

__all__ = [
    "Appendix",
    "Block",
    "Directive",
    "build_directive",
    "directive_docx",
    "directive_html",
    "official_docx",
    "OfficialDocument",
    "write_table",
]

"""Documents the campaign sends: the directive (.docx and HTML preview) and the .xlsx table."""

from campaign.documents.directive import Appendix, Block, Directive, build_directive
from campaign.documents.directive_docx import directive_docx
from campaign.documents.preview import directive_html
from campaign.documents.xlsx_table import write_table

__all__ = [
    "Appendix",
    "Block",
    "Directive",
    "build_directive",
    "directive_docx",
    "directive_html",
    "write_table",
]

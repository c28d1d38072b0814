"""Is an upload a real, harmless .xlsx? Decided from its bytes and zip directory alone,
before openpyxl reads a single sheet: size, magic bytes, content types, macros, zip bombs.

Python's zipfile stops a member at the size its directory entry declares, so checking the
declared sizes and ratios here bounds what openpyxl can be made to decompress later.
"""

from __future__ import annotations

import io
import zipfile

from campaign.replies.errors import UploadRejected

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_MEMBER_RATIO = 200  # uncompressed / compressed, for members over 1 MB
MAX_MEMBERS = 2000
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MARKERS = ("macroenabled", "vbaproject", "macrosheet", "ms-excel.addin", "activex")

EMPTY = "上传的文件是空的，请选择填好的统计表（.xlsx）后重新上传"
TOO_LARGE = "上传的统计表超过5 MB，不予接收。请删除多余的工作表或图片后重新上传"
OLD_XLS = (
    "这是旧版Excel（.xls）文件，不予接收。请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后重新上传"
)
ENCRYPTED = "上传的统计表设置了打开密码，不予接收。请取消密码后重新上传"
NOT_XLSX = "上传的文件不是Excel工作簿（.xlsx），不予接收。请上传随通知发送的统计表"
MACROS = "上传的文件含有宏（.xlsm），不予接收。请另存为不含宏的Excel工作簿（.xlsx）后重新上传"
BOMB = "上传的文件解压后过大（疑似压缩炸弹），不予接收"


def check_xlsx_bytes(data: bytes) -> None:
    """Raise UploadRejected with the reason unless data is a plain .xlsx workbook."""
    if not data:
        raise UploadRejected(EMPTY)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected(TOO_LARGE)
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise UploadRejected(ENCRYPTED)
        raise UploadRejected(OLD_XLS)
    if not data.startswith(ZIP_MAGIC):
        raise UploadRejected(NOT_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UploadRejected(NOT_XLSX) from exc
    with archive:
        _check_sizes(members)
        names = {m.filename.lower(): m for m in members}
        if any(m.flag_bits & 0x1 for m in members):
            raise UploadRejected(ENCRYPTED)
        if any(marker in name for name in names for marker in ("vbaproject", "macrosheet")):
            raise UploadRejected(MACROS)
        types = names.get("[content_types].xml")
        if types is None or "xl/workbook.xml" not in names or types.file_size > 1024 * 1024:
            raise UploadRejected(NOT_XLSX)
        try:
            content_types = archive.read(types).decode("utf-8", "replace").lower()
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as exc:
            raise UploadRejected(NOT_XLSX) from exc
    if any(marker in content_types for marker in MACRO_MARKERS):
        raise UploadRejected(MACROS)
    if WORKBOOK_TYPE not in content_types:
        raise UploadRejected(NOT_XLSX)


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise UploadRejected(BOMB)
    total = 0
    for member in members:
        total += member.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise UploadRejected(BOMB)
        if member.file_size > 1024 * 1024 and (
            member.compress_size == 0 or member.file_size / member.compress_size > MAX_MEMBER_RATIO
        ):
            raise UploadRejected(BOMB)

"""A minimal zip writer that reuses the compressed bytes of entries that never change.

Each bureau's .xlsx differs from its template only in two sheet XML files; compressing the
eight others again for every bureau was most of the cost. Entries are deflated once
(`Entry.of`) and written as they are; the archive layout is plain PKZIP 2.0 with UTF-8
names, which Excel, LibreOffice, WPS and openpyxl read.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

_UTF8_NAMES = 0x0800
_DEFLATE = 8
_VERSION = 20
_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01 00:00, fixed


@dataclass(frozen=True)
class Entry:
    name: bytes
    crc: int
    size: int
    deflated: bytes

    @classmethod
    def of(cls, name: str, data: bytes, level: int = 6) -> Entry:
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        deflated = packer.compress(data) + packer.flush()
        return cls(name.encode("utf-8"), zlib.crc32(data), len(data), deflated)


def write_zip(entries: list[Entry]) -> bytes:
    parts: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for e in entries:
        fields = (_DEFLATE, _DOS_TIME, _DOS_DATE, e.crc, len(e.deflated), e.size, len(e.name))
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", _VERSION, _UTF8_NAMES, *fields, 0)
        parts += [local, e.name, e.deflated]
        directory.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                _VERSION,
                _VERSION,
                _UTF8_NAMES,
                *fields,
                0,  # extra field length
                0,  # comment length
                0,  # disk number
                0,  # internal attributes
                0,  # external attributes
                offset,
            )
            + e.name
        )
        offset += len(local) + len(e.name) + len(e.deflated)
    central = b"".join(directory)
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), offset, 0
    )
    return b"".join(parts) + central + end

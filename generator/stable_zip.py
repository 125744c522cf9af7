"""Office files (Word, Excel) as byte-stable archives.

python-docx and openpyxl write zip members stamped "now"; the same input must give
the same bytes, so every writer of an Office file passes its archive through here.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile


def stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same archive with fixed member timestamps and attributes (byte-stable output)."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 0
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()

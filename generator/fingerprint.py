"""A cheap fingerprint of folders of files, for memoising work on what they hold."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .load.discovery import walk


def fingerprint(*folders: Path) -> str:
    """Changes when any file under the folders is added, removed or touched.

    Sizes and modification times, not contents: it is asked on every request of the
    preview, and an editor's save always touches the file."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.exists():
            continue
        for path in walk(folder)[0]:  # through linked folders too, as discovery reads them
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))  # any path, any locale
    return digest.hexdigest()

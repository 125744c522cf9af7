"""Put a freshly built site in place of the old one with no moment in which there is none.

A build writes into a staging folder beside ``site/``::

    .site-build-XXXX/            (mode as mkdtemp gives; removed when the build ends)
        .gitignore               "*": git ignores the folder while it exists, in any project
        target                   the name of the folder it replaces (``site``)
        site/                    what mkdocs wrote; directory modes as the umask gives
        complete                 written once the build succeeded (for recovery)

and then swaps ``.site-build-XXXX/site`` with ``site/`` in one ``renameat2(RENAME_EXCHANGE)``
system call (Linux 3.15+, through ctypes): the name ``site`` points at the old tree and
then at the new one, never at nothing, and whatever kills the build, ``site/`` is a
complete build. ``os.rename`` cannot do this (it cannot replace a non-empty
directory), and a ``site`` symlink flipped with rename(2) would change what
``site/`` is for every deploy tool. Where the exchange is not supported (another
OS, a file system without it) the swap falls back to two renames, and the next
build repairs an interruption between them from the staging folder.

Each build holds an ``flock`` on its staging folder; a staging folder nobody
holds belongs to a build that was killed, and the next build removes it (after
restoring ``site/`` from it if the site is missing), so nothing is left behind.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

PREFIX = ".site-build-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@contextmanager
def staging(target: Path) -> Iterator[Path]:
    """A locked staging folder beside ``target``; yields the folder to build into.

    Leftovers of killed builds are cleaned first. The staging folder is removed
    on the way out, whether the build was swapped in or failed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    stage = Path(tempfile.mkdtemp(prefix=PREFIX, dir=target.parent))
    fd = os.open(stage, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        (stage / ".gitignore").write_text("# a tfpub build in progress (or killed: the next build removes it)\n*\n", encoding="utf-8")
        (stage / "target").write_text(target.name, encoding="utf-8")  # recover() restores only the site it was for
        build = stage / "site"
        build.mkdir()  # 0777 less the umask, like mkdocs' own folders
        yield build
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        os.close(fd)


def swap_in(build: Path, target: Path) -> None:
    """Make ``build`` (from :func:`staging`) the ``target`` folder; the old one goes to the staging folder."""
    stage = build.parent
    (stage / "complete").write_text("", encoding="utf-8")
    if not os.path.lexists(target):
        os.rename(build, target)  # nothing to replace: one rename is atomic
        return
    if _exchange(build, target):
        (stage / "complete").unlink()  # what is left in the stage now is the old site, to delete
        return
    os.rename(target, stage / "old")  # no exchange here: two renames, repaired by recover() if cut
    os.rename(build, target)


def recover(target: Path) -> None:
    """Remove the staging folders of killed builds, restoring ``target`` from one if it is missing."""
    for stage in sorted(target.parent.glob(PREFIX + "*")):
        if not stage.is_dir() or stage.is_symlink():
            continue
        try:
            fd = os.open(stage, os.O_RDONLY)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a build in progress holds it
            if not os.path.lexists(target) and _stage_target(stage) == target.name:
                if (stage / "complete").exists() and (stage / "site").is_dir():
                    os.rename(stage / "site", target)
                elif (stage / "old").is_dir():
                    os.rename(stage / "old", target)
            shutil.rmtree(stage, ignore_errors=True)
        finally:
            os.close(fd)


def _stage_target(stage: Path) -> str | None:
    try:
        return (stage / "target").read_text(encoding="utf-8")
    except OSError:
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (renameat2 RENAME_EXCHANGE); False where that is not supported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))

"""The files beside a store folder ``STORE``: its lock (``STORE.lock``), the files kept beside it
(written whole or not at all), the folders a ``--replace`` builds in (``STORE.replacing-PID``) and a
``kg serve`` reads from (``STORE.serve-PID-…``), and their removal once their process is gone.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from kg.errors import KgError
from kg.whole import whole

__all__ = [
    "REPLACING",
    "SERVING",
    "StoreLock",
    "carry_over",
    "exchange",
    "files_signature",
    "folders_of",
    "kept_beside",
    "process_alive",
    "remove_stale",
    "serving",
    "write_whole",
]

#: ``STORE{REPLACING}PID``: the folder a ``kg build --replace`` (process PID) builds in.
REPLACING = ".replacing-"
#: ``STORE{SERVING}PID-RANDOM``: a folder of snapshots of a ``kg serve`` (process PID).
SERVING = ".serve-"


def files_signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of the store's data files; a write by anyone changes it.

    The ``LOG`` files are left out: every read-only open of the store appends to them.
    """
    entries = []
    try:
        with os.scandir(path) as listing:
            for entry in listing:
                if entry.name.startswith("LOG") or entry.name == "LOCK":
                    continue
                try:
                    st = entry.stat()
                except FileNotFoundError:  # removed by a compaction while we looked
                    continue
                entries.append((entry.name, st.st_size, st.st_mtime_ns))
    except FileNotFoundError:
        return ()
    return tuple(sorted(entries))


def write_whole(path: Path, write: Callable[[IO[bytes]], object]) -> bool:
    """Write ``path`` whole or not at all (:func:`kg.whole.whole`) with ``write(handle)``. For the
    files kept beside a store (its event table, kept query results): a folder we may not write to
    leaves nothing and returns False, and they are left uncached."""
    try:
        with whole(path) as partial, partial.open("wb") as handle:
            write(handle)
    except OSError:
        return False
    return True


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> None:
    """Swap folders ``a`` and ``b`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``), so that a
    kill leaves either both as they were or both swapped. Where the system or its filesystem
    cannot, in three renames: a kill between the first two leaves ``b`` at ``b.old``."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(b))
    retired = b.with_name(b.name + ".old")
    os.rename(b, retired)
    os.rename(a, b)
    os.rename(retired, a)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (someone else's counts): folders named after a process that is
    gone (a killed ``kg serve`` or ``kg build``) may be removed."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's
        return True
    return True


class StoreLock:
    """An advisory ``flock`` on ``STORE.lock``: exclusive for writers, shared for readers."""

    def __init__(self, store_path: Path, exclusive: bool) -> None:
        self.path = store_path.with_name(store_path.name + ".lock")
        self.exclusive = exclusive
        self.handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            store = self.path.with_suffix("")
            if self.exclusive:
                raise KgError(
                    f"store {store} is in use by another process ({holder}); "
                    "wait for it to finish or pass another --store"
                ) from None
            raise KgError(
                f"store {store} is being written by another process ({holder}); try again when it has finished"
            ) from None
        if self.exclusive:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def folders_of(store: Path, infix: str, files: bool = False) -> Iterator[tuple[Path, int]]:
    """The folders beside ``store`` named ``STORE{infix}PID…``, with the PID that made each (with
    ``files``, the files too: ``STORE{infix}PID.NAME``, kept beside such a folder)."""
    prefix = f"{store.name}{infix}"
    if not store.parent.is_dir():
        return
    for entry in store.parent.iterdir():
        pid = re.match(r"\d*", entry.name[len(prefix) :])[0]  # type: ignore[index]
        if entry.name.startswith(prefix) and pid and (entry.is_dir() or files):
            yield entry, int(pid)


def remove_stale(store: Path, infix: str) -> None:
    """Remove the folders beside ``store`` named ``STORE{infix}PID…``, and the files kept beside
    them, whose process is gone (a killed ``kg serve`` or ``kg build --replace``)."""
    for entry, pid in list(folders_of(store, infix, files=True)):
        if not process_alive(pid):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def kept_beside(folder: Path) -> list[Path]:
    """The files kept beside ``folder``: ``FOLDER.NAME``."""
    if not folder.parent.is_dir():
        return []
    return sorted(p for p in folder.parent.glob(f"{glob.escape(folder.name)}.*") if p.is_file())


def carry_over(side: Path, store: Path) -> None:
    """The files kept beside ``side`` become ``store``'s (``SIDE.NAME`` replaces ``STORE.NAME``):
    once a replacement built at ``side`` has taken the store's place, they describe the store."""
    for path in kept_beside(side):
        os.replace(path, store.with_name(store.name + path.name[len(side.name) :]))


def serving(path: str | os.PathLike[str]) -> list[int]:
    """The process ids of the running ``kg serve`` processes that serve the store at ``path``."""
    return sorted(pid for _, pid in folders_of(Path(path), SERVING) if process_alive(pid))

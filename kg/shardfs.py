"""The shards folder (:mod:`kg.shards`): a local path, or a URL of any filesystem fsspec knows
(``file://``, ``s3://`` with s3fs installed, ``gs://`` with gcsfs, ``memory://``, …).

Every file is written whole, so a retried task replaces its partition's files and never adds
to them, and a reader sees a file's old bytes or its new ones, never part of either:

- a local path: through :func:`kg.whole.whole` (a temporary file beside it, renamed over it);
- a URL of a filesystem whose move is one rename that replaces the target (:data:`RENAMING`:
  ``file://``, ``sftp://``): under a temporary name in the folder, then ``fs.mv`` over the file;
- any other, object stores above all: in one put of the whole object under its final name.
  S3, GCS and Azure Blob make a put atomic (readers get the old object or the new one) and have
  no rename to offer (their move is a copy and a delete). On a filesystem that is neither
  (HDFS, SMB) a reader could see a file half-written; none trusts a partition before its
  ``pNNNNN.json``, which is written after the other three.

Plain paths never import fsspec. A URL whose filesystem is not installed, or unknown, is a
:class:`~kg.errors.KgError` naming the URL and what to install, raised on opening the folder.

>>> folder = open_folder("memory://kg-doctest/shards")
>>> folder.make()
>>> folder.write("a.json", b"{}")[:12]
'44136fa355b3'
>>> folder.names("*.json"), folder.read("a.json"), folder.shown("a.json")
(['a.json'], b'{}', 'memory://kg-doctest/shards/a.json')
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from pathlib import Path
from typing import Any

from kg.errors import KgError, first_line
from kg.whole import whole

__all__ = ["RENAMING", "ShardFolder", "open_folder"]

#: fsspec protocols whose ``mv`` is one rename replacing the target (``os.replace``, SFTP's
#: posix-rename); HDFS and SMB renames refuse an existing target, so they are written as object
#: stores are.
RENAMING = frozenset({"file", "local", "sftp", "ssh"})


class ShardFolder:
    """A shards folder's files by name: written whole, read, listed, removed.

    ``str(folder)`` is the location as given (a path, or the URL), as messages show it.
    """

    def __init__(self, location: str | Path) -> None:
        text = str(location)
        self.fs: Any = None  # the fsspec filesystem of a URL; None for a plain path
        self.local: Path | None = None
        self.renames = False  # a URL's filesystem moves a file by one rename (RENAMING)
        if "://" not in text:
            self.local = Path(text)
            self.location = self.path = str(self.local)
            return
        self.location = text.rstrip("/")
        try:
            from fsspec.core import url_to_fs

            self.fs, self.path = url_to_fs(text)
        except ImportError as exc:  # fsspec names the package: "Install s3fs to access S3"
            raise KgError(f"{self.location}: {exc} (here, and on every Dask worker that writes there)") from None
        except Exception as exc:  # "Protocol not known: nosuch", or a URL its filesystem refuses
            raise KgError(
                f"{self.location}: {first_line(exc)}; a shards folder is a path or a URL of a filesystem "
                "fsspec knows (file://, s3:// with s3fs installed, gs:// with gcsfs, …)"
            ) from None
        self.path = self.path.rstrip("/")
        protocols = {self.fs.protocol} if isinstance(self.fs.protocol, str) else set(self.fs.protocol)
        self.renames = bool(protocols & RENAMING)

    def __str__(self) -> str:
        return self.location

    def shown(self, name: str) -> str:
        """A file of the folder as messages name it."""
        return str(self.local / name) if self.local else f"{self.location}/{name}"

    def file(self, name: str) -> str:
        """A file of the folder as its filesystem (:attr:`fs`, or the local one) names it."""
        return str(self.local / name) if self.local else f"{self.path}/{name}"

    def for_workers(self) -> str:
        """The location as a Dask worker opens it: an absolute path, or the URL."""
        return str(self.local.resolve()) if self.local else self.location

    def make(self) -> None:
        """Create the folder (and its parents) if it is not there.

        On a path or a filesystem that renames, a folder that cannot be made is a :class:`KgError`.
        Elsewhere this is fsspec's ``makedirs``, tried only: an object store has no folders (a
        put makes the key's prefix), and whether it can be written is for the first write to
        say (S3 and GCS create a missing bucket here, where the credentials allow it).
        """
        try:
            if self.local:
                self.local.mkdir(parents=True, exist_ok=True)
            else:
                self.fs.makedirs(self.path, exist_ok=True)
        except Exception as exc:
            if self.local or self.renames:
                raise KgError(f"{self.location}: cannot make the shards folder ({_reason(exc)})") from None

    def write(self, name: str, data: bytes) -> str:
        """Write ``data`` whole as the file ``name`` (see the module's docstring for how); returns
        its SHA-256."""
        try:
            if self.local:
                with whole(self.local / name) as partial:
                    partial.write_bytes(data)
            elif self.renames:
                self._write_renamed(name, data)
            else:
                self.fs.pipe_file(self.file(name), data)
        except Exception as exc:
            raise KgError(
                f"{self.shown(name)}: cannot write ({_reason(exc)}); the shards folder must be writable "
                "from here and from every Dask worker"
            ) from None
        return hashlib.sha256(data).hexdigest()

    def _write_renamed(self, name: str, data: bytes) -> None:
        """A temporary file of its own in the folder, moved over ``name`` (removed if that fails)."""
        temporary = f"{self.path}/.{name}.{uuid.uuid4().hex}.tmp"
        try:
            self.fs.pipe_file(temporary, data)
            self.fs.mv(temporary, self.file(name))
        except BaseException:
            with contextlib.suppress(Exception):
                self.fs.rm_file(temporary)
            raise

    def read_checked(self, name: str, sha256: str, named_in: str) -> bytes:
        """The bytes of the file ``name``, which must have the SHA-256 that the file ``named_in``
        gives it: a :class:`KgError` naming the file otherwise (or when it cannot be read)."""
        try:
            data = self.read(name)
        except OSError as exc:
            raise KgError(f"{self.shown(name)}: unreadable ({exc}); build the shards again") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise KgError(f"{self.shown(name)}: does not match its hash in {named_in}; build the shards again")
        return data

    def read(self, name: str) -> bytes:
        """The bytes of the file ``name``; :class:`FileNotFoundError` when it is not there, and
        :class:`OSError` for any other failure (a filesystem's own errors among them)."""
        if self.local:
            return (self.local / name).read_bytes()
        try:
            data: bytes = self.fs.cat_file(self.file(name))
            return data
        except OSError:
            raise
        except Exception as exc:
            raise OSError(_reason(exc)) from exc

    def exists(self, name: str) -> bool:
        if self.local:
            return (self.local / name).exists()
        try:
            return bool(self.fs.exists(self.file(name)))
        except Exception:
            return False

    def names(self, pattern: str) -> list[str]:
        """The names of the files matching the glob ``pattern``, sorted."""
        if self.local:
            return sorted(p.name for p in self.local.glob(pattern))
        return sorted(str(p).rsplit("/", 1)[-1] for p in self.fs.glob(f"{self.path}/{pattern}"))

    def remove(self, name: str) -> None:
        """Remove the file ``name``, if it is there."""
        if self.local:
            (self.local / name).unlink(missing_ok=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.fs.rm_file(self.file(name))


def open_folder(location: str | Path | ShardFolder) -> ShardFolder:
    """The shards folder at ``location`` (a path or a URL); a :class:`ShardFolder` as it is."""
    return location if isinstance(location, ShardFolder) else ShardFolder(location)


def _reason(exc: BaseException) -> str:
    """An error of a filesystem as a short phrase: ``OSError``'s own reason, or the type and message."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {first_line(exc)}"

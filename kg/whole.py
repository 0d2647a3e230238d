"""Files written whole or not at all: a reader (another process, a later run) sees the old file or
the new one, never half of one, and two writers of one file each write their own and the last
rename wins.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     target = Path(folder) / "out.txt"
...     with whole(target) as partial:
...         _ = partial.write_text("done")
...     sorted(p.name for p in Path(folder).iterdir()), target.read_text()
(['out.txt'], 'done')
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["whole"]


@contextlib.contextmanager
def whole(path: Path) -> Iterator[Path]:
    """A new file of its own beside ``path`` to write, renamed over ``path`` when the block ends
    without an error (readable by all, as files of a shared store are), removed if it does not."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(descriptor)
    partial = Path(name)
    try:
        yield partial
        partial.chmod(0o644)  # mkstemp makes it private
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)

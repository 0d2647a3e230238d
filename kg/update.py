"""``kg update``: build every source of a sources file, once or every so often.

A sources file (``sources.toml`` in the project, or ``--sources FILE``) lists feeds, pages and
files, with fetch settings for all of them at the top and per-source settings in each
``[[source]]`` (the format is in docs/sources.md):

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "sources.toml"
>>> _ = path.write_text('''
... delay = 2
... [[source]]
... name = "iom-sanjose"
... url = "https://rosanjose.iom.int/en/news"
... max_pages = 3
... [[source]]
... path = "data/news/"
... ''')
>>> plan = load_sources(path)
>>> [(s.name, s.location, s.max_pages) for s in plan.sources], plan.fetch
([('iom-sanjose', 'https://rosanjose.iom.int/en/news', 3), ('data/news/', 'data/news/', None)], {'delay': 2.0})

Each source is built on its own, so a failing one is reported and tried again next round while
the others still load; a round prints one line, with new, changed, unchanged and failed items per
source (:func:`round_line`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError, UsageError
from kg.sources import InputFormat, Notice, Reject

__all__ = ["Plan", "Result", "Source", "load_sources", "parse_every", "round_line", "update_once"]

_FETCH = {"delay": float, "fetch_timeout": float, "retries": int, "max_bytes": int, "max_pages": int}
_SOURCE = {"name", "url", "path", "max_pages", "input_format"}


@dataclass(frozen=True)
class Source:
    name: str
    location: str  # a URL or a path
    max_pages: int | None = None
    input_format: InputFormat | None = None


@dataclass(frozen=True)
class Plan:
    sources: list[Source]
    fetch: dict[str, Any] = field(default_factory=dict)  # delay, fetch_timeout, retries, max_bytes, max_pages


@dataclass
class Result:
    """What one source gave in one round."""

    name: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    not_modified: bool = False

    def __str__(self) -> str:
        unchanged = f"unchanged {self.unchanged:,}" + (" (304)" if self.not_modified else "")
        return f"{self.name}: new {self.new:,}, changed {self.changed:,}, {unchanged}, failed {self.failed:,}"


def load_sources(path: str | Path) -> Plan:
    """The sources and fetch settings of a TOML sources file; a :class:`UsageError` naming the
    file and the setting for anything wrong in it."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such sources file; write one (docs/sources.md) or pass --sources FILE") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the sources file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    fetch: dict[str, Any] = {}
    for key, value in data.items():
        if key == "source":
            continue
        if key not in _FETCH:
            raise UsageError(f"{path}: unknown setting {key!r}; known: {', '.join([*_FETCH, '[[source]]'])}")
        fetch[key] = _typed(path, key, value, _FETCH[key])
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise UsageError(f"{path}: no [[source]] entries; each names a url or a path")
    sources: list[Source] = []
    for n, entry in enumerate(entries, 1):
        where = f"{path}: [[source]] {n}"
        unknown = sorted(set(entry) - _SOURCE)
        if unknown:
            raise UsageError(f"{where}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(_SOURCE))}")
        if ("url" in entry) == ("path" in entry):
            raise UsageError(f'{where}: give either url = "https://…" or path = "…"')
        location = str(entry.get("url") or entry.get("path"))
        if "url" in entry and not location.startswith(("http://", "https://")):
            raise UsageError(f"{where}: url {location!r} is not an http(s) URL")
        fmt = entry.get("input_format")
        if fmt is not None and fmt not in {f.value for f in InputFormat}:
            raise UsageError(f"{where}: input_format {fmt!r} is not one of {', '.join(f.value for f in InputFormat)}")
        sources.append(
            Source(
                name=str(entry.get("name") or location),
                location=location,
                max_pages=_typed(path, "max_pages", entry["max_pages"], int) if "max_pages" in entry else None,
                input_format=InputFormat(fmt) if fmt else None,
            )
        )
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise UsageError(f"{path}: two sources are named {twice!r}; give each its own name")
    return Plan(sources, fetch)


def _typed(path: Path, key: str, value: Any, kind: type) -> Any:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value < 0
        or (kind is int and value != int(value))
    ):
        raise UsageError(f"{path}: {key} = {value!r} is not a {'whole ' if kind is int else ''}number of 0 or more")
    return kind(value)


def update_once(
    plan: Plan,
    store_location: str,
    fetch_settings: dict[str, Any],
    on_reject: Callable[[Reject | Notice], None] | None = None,
) -> list[Result]:
    """Build every source of ``plan`` into the store once, each on its own; one :class:`Result` each."""
    from kg.build import build
    from kg.sources.fetch import fetcher_beside
    from kg.store import open_for_writing

    settings = {**plan.fetch, **{k: v for k, v in fetch_settings.items() if v is not None}}
    fetcher = fetcher_beside(store_location, settings)  # one per round: per-host delays hold across sources
    results = []
    with open_for_writing(store_location) as store:
        for n, source in enumerate(plan.sources):
            result = Result(source.name)
            try:
                report = build(
                    [source.location],
                    store,
                    input_format=source.input_format,
                    shared=n == 0,
                    on_reject=on_reject,
                    fetcher=fetcher,
                    max_pages=source.max_pages or settings.get("max_pages"),
                )
            except KgError as exc:  # a missing path, a store that failed: this source, this round
                if on_reject:
                    on_reject(Reject(source.location, 0, str(exc)))
                result.failed = 1
            else:
                result.changed = report.changed
                result.new = report.loaded - report.changed
                result.unchanged = report.unchanged
                result.failed = report.rejected
                result.not_modified = report.not_modified > 0
            results.append(result)
    return results


def round_line(number: int, results: list[Result], when: str | None = None) -> str:
    """One line for a round.

    >>> round_line(2, [Result("feed", unchanged=2, not_modified=True), Result("page", new=3)])
    'round 2: feed: new 0, changed 0, unchanged 2 (304), failed 0; page: new 3, changed 0, unchanged 0, failed 0'
    """
    head = f"{when} round {number}" if when else f"round {number}"
    return f"{head}: " + "; ".join(str(r) for r in results)


def parse_every(text: str) -> float:
    """Seconds of a duration such as ``15m``, ``1h``, ``90s`` or ``90``.

    >>> parse_every("15m"), parse_every("1h30m"), parse_every("90")
    (900.0, 5400.0, 90.0)
    """
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([hms])", text)
    if not parts or re.sub(r"\d+(?:\.\d+)?\s*[hms]", "", text).strip():
        raise UsageError(f"--every {text}: give a duration such as 15m, 1h or 90s")
    return sum(float(value) * {"h": 3600, "m": 60, "s": 1}[unit] for value, unit in parts)

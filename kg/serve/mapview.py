"""The routes behind the page's map and timeline, and the event filters every view takes.

- ``GET /map/world``: the country outlines (:func:`kg.serve.world.world_shapes`) as JSON;
- ``GET /counts?since=&until=&theme=&gcm=&event_type=&region=&country=``: events and news items
  per country (ISO3) and per month (:func:`kg.serve.counts.event_counts`), kept per snapshot.

>>> sorted(request_filters({"since": "2019", "theme": "smuggling"}.items()).themes)
['smuggling']
>>> request_filters([("colour", "red")])
Traceback (most recent call last):
...
kg.errors.UsageError: unknown filter 'colour'; use event_type, gcm, region, reports, since, theme, until
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from kg.errors import UsageError
from kg.network.filters import EventFilter
from kg.serve.answers import PerSnapshot
from kg.serve.counts import event_counts
from kg.serve.world import world_shapes

__all__ = ["FILTERS", "map_routes", "request_filters", "switch"]

#: The query parameters that choose events, in every view of the page (network, map, timeline).
FILTERS = ("since", "until", "theme", "gcm", "event_type", "region", "reports")
_KEPT = 32  # answers kept per snapshot


def switch(key: str, value: str, allowed: bool, name: str) -> bool:
    """``reports=1`` (or ``true``, ``yes``; ``0``, ``false``, ``no``, empty: off): every report of an
    event reported by several items, as ``--reports`` on the command line.

    >>> switch("reports", "1", True, "events_by_country"), switch("reports", "", True, "timeline")
    (True, False)
    >>> switch("reports", "1", False, "items_mentioning")
    Traceback (most recent call last):
    kg.errors.UsageError: items_mentioning does not count events: it takes no reports=1
    """
    on = value.strip().lower()
    if on not in ("1", "true", "yes", "0", "false", "no", ""):
        raise UsageError(f"{key}={value!r}: give {key}=1 or {key}=0")
    if on in ("1", "true", "yes") and not allowed:
        raise UsageError(f"{name} does not count events: it takes no {key}=1")
    return on in ("1", "true", "yes")


def request_filters(params: Iterable[tuple[str, str]], extra: tuple[str, ...] = ()) -> EventFilter:
    """The :class:`~kg.network.EventFilter` of a request's parameters; names in ``extra`` are
    left to the caller, any other unknown name is refused."""
    values: dict[str, list[str]] = {}
    for name, value in params:
        if name in extra:
            continue
        if name not in FILTERS:
            raise UsageError(f"unknown filter {name!r}; use {', '.join(sorted(FILTERS + extra))}")
        if value.strip():
            values.setdefault(name, []).append(value.strip())
    return EventFilter.parse(
        values.get("since", [None])[0],
        values.get("until", [None])[0],
        values.get("theme", ()),
        values.get("gcm", ()),
        values.get("event_type", ()),
        values.get("region", ()),
        switch("reports", values.get("reports", [""])[0], True, "the network"),
    )


def map_routes(source: Any, runner: Any, error: Any) -> list[Route]:
    """The routes, answering from ``source``'s snapshots through ``runner``; ``error`` turns a
    :class:`~kg.errors.KgError` into the server's one-sentence answer."""
    kept = PerSnapshot(_KEPT)

    async def world(request: Request) -> Response:
        body = json.dumps(world_shapes(), separators=(",", ":")).encode()
        return Response(body, media_type="application/json", headers={"Cache-Control": "max-age=86400"})

    async def counts(request: Request) -> Response:
        snapshot = source.describe().get("snapshot")
        key = (snapshot, *sorted(request.query_params.multi_items()))
        body = kept.get(key)
        if body is None:
            try:
                filters = request_filters(request.query_params.multi_items(), extra=("country",))
                country = request.query_params.get("country") or None
                data = await runner.run(event_counts, filters, country)
            except UsageError as exc:
                return PlainTextResponse(str(exc) + "\n", status_code=400)
            except Exception as exc:  # the server's own answer for what went wrong inside
                return error(exc)
            body = json.dumps(data, ensure_ascii=False).encode()
            kept.put(key, body)
        return Response(body, media_type="application/json")

    return [Route("/map/world", world, methods=["GET"]), Route("/counts", counts, methods=["GET"])]

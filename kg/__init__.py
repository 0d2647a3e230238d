"""migkg: a knowledge graph of actors, places and events built from migration news."""

from __future__ import annotations

from typing import Any

__all__ = ["__version__", "query"]

__version__ = "0.1.0"


def query(
    name: str,
    /,
    *,
    store: Any = None,
    timeout: float | None = None,
    reports: bool = False,
    raw: bool = False,
    **params: object,
) -> list[dict[str, Any]]:
    """Run the named query ``queries/NAME.rq``; rows as dicts of plain Python values.

    ``store`` is a store folder, a SPARQL server URL or an open store (default ``.kg/store``
    or ``$MIGKG_STORE``); parameters are keyword arguments (``kg queries NAME`` lists them).
    IRIs come back as ``str``, numbers as ``int``/``Decimal``/``float``, dates as ``date``.
    An event reported by several items counts once; ``reports=True`` counts each report.
    A query that reads the summaries counted at build time counts the raw events with ``raw=True``.

    >>> import kg
    >>> from kg.store import KgStore
    >>> kg.query("country_pairs", store=KgStore.memory(), min_events=2)
    []
    """
    from kg.queries import query as run_named  # imported here: ``import kg`` stays cheap

    return run_named(name, store=store, timeout=timeout, reports=reports, raw=raw, **params)

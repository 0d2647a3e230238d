"""``kg serve``: the store over HTTP, as a SPARQL 1.1 Protocol endpoint and a page for analysts.

- :mod:`kg.serve.protocol` reads SPARQL 1.1 Protocol requests and negotiates result formats
  (pure functions, no web framework);
- :mod:`kg.serve.snapshot` gives the server a consistent, private view of a store folder that
  ``kg build`` may be writing (the locking model, see docs/serve.md);
- :mod:`kg.serve.jobs` are what a query worker runs (a SPARQL answer with row and byte caps,
  counts, the network), :mod:`kg.serve.runner` hands them to :mod:`kg.sandbox`'s worker
  processes (deadline, memory budget, a crashed or killed worker replaced);
- :mod:`kg.serve.app` is the ASGI application (Starlette), ``static/`` the page and its vendored
  libraries; :func:`kg.serve.server.serve` runs it with uvicorn, behind a protocol that closes
  slow and idle connections and caps how many are open (docs/serve.md, "Security");
- :class:`kg.serve.limits.ServeLimits` holds every limit of the three, with the defaults of
  ``kg serve``'s options.

Nothing here imports Starlette or uvicorn until the app is built, so ``import kg.serve`` is cheap.
"""

from __future__ import annotations

__all__: list[str] = []

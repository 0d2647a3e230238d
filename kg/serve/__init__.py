"""``kg serve``: the store over HTTP, as a SPARQL 1.1 Protocol endpoint and a page for analysts.

- :mod:`kg.serve.protocol` reads SPARQL 1.1 Protocol requests and negotiates result formats
  (pure functions, no web framework);
- :mod:`kg.serve.snapshot` gives the server a consistent, private view of a store folder that
  ``kg build`` may be writing (the locking model, see docs/serve.md);
- :mod:`kg.serve.runner` runs queries in worker threads with a timeout and a row cap;
- :mod:`kg.serve.app` is the ASGI application (Starlette), ``static/`` the page and its vendored
  libraries; :func:`kg.serve.server.serve` runs it with uvicorn.

Nothing here imports Starlette or uvicorn until the app is built, so ``import kg.serve`` is cheap.
"""

from __future__ import annotations

__all__: list[str] = []

"""Running the application: a listening socket, uvicorn, and a clean stop on Ctrl-C.

The socket is bound before uvicorn starts, so that a port in use is one clear error and
``--port 0`` can say which port it got.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable

from kg.errors import KgError, UsageError
from kg.serve.app import create_app

__all__ = ["listen", "serve", "url_of"]


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free one); a clear KgError if it is taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror}; stop the other server or pass --port") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    store_location: str,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30.0,
    max_rows: int = 100_000,
    concurrency: int = 4,
    quiet: bool = False,
    log: Callable[[str], None] | None = None,
) -> None:
    """Serve the store folder at ``store_location`` until interrupted (Ctrl-C)."""
    import uvicorn

    from kg.serve.snapshot import SnapshotSource

    say = log or (lambda line: print(line, file=sys.stderr, flush=True))
    if str(store_location).startswith(("http://", "https://")):
        raise UsageError(f"kg serve serves a store folder, not {store_location}; point your tools at that server")
    if store_location == ":memory:":
        raise UsageError("kg serve needs a store folder built by kg build, not :memory:")
    sock = listen(host, port)
    try:
        source = SnapshotSource(store_location, on_wait=lambda m: say(f"kg serve: {m}")).start()
    except BaseException:
        sock.close()
        raise
    url = url_of(sock)
    app = create_app(source, timeout=timeout, max_rows=max_rows, concurrency=concurrency)
    say(f"kg serve: {url}/ (page), {url}/sparql (SPARQL endpoint); store {store_location}, read-only; Ctrl-C stops")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"kg serve: listening on {host}: anyone who can reach this machine can query the store")
    config = uvicorn.Config(
        app,
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        timeout_graceful_shutdown=2,
        lifespan="on",
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn has shut down cleanly, then passes Ctrl-C on
        pass
    finally:
        source.close()
        sock.close()
    say("kg serve: stopped")

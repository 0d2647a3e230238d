"""Running the application: a listening socket, uvicorn, connection limits, a clean stop on Ctrl-C.

The socket is bound before uvicorn starts, so that a port in use is one clear error and
``--port 0`` can say which port it got.

uvicorn waits for a request's headers as long as the client likes, keeps a connection open for
a client that never reads its answer, and accepts connections until the process runs out of
file descriptors. :class:`GuardedH11Protocol` adds what a server on a network needs, with the
figures of :class:`kg.serve.limits.ServeLimits`:

- a client has ``read_timeout`` seconds to send a whole request (headers and body) from the
  moment it connects or its last answer was sent; then the connection is closed;
- a client that reads nothing of its answer for ``write_timeout`` seconds is dropped, and the
  answer it held is freed;
- at most ``max_connections`` connections are open; a new one beyond that closes the oldest
  connection that has not yet sent a whole request (the idle and the slow), or, when every
  connection is busy with a request, is itself closed.
"""

from __future__ import annotations

import asyncio
import resource
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from kg.errors import KgError, UsageError
from kg.serve.app import create_app
from kg.serve.limits import ServeLimits

__all__ = ["GuardedH11Protocol", "guarded_protocol", "listen", "serve", "url_of"]


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with read and write timeouts and a cap on connections."""

    limits: ServeLimits = ServeLimits()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._read_timer: asyncio.TimerHandle | None = None
        self._write_timer: asyncio.TimerHandle | None = None
        waiting = self._waiting()
        if len(self.connections) > self.limits.max_connections:
            if waiting:
                oldest = next(iter(waiting))
                oldest.transport.abort()
            else:
                self.transport.abort()
                return
        self._await_request()

    def _waiting(self) -> dict[GuardedH11Protocol, None]:
        """This server's connections that are waiting for (the rest of) a request, oldest first."""
        state = self.server_state
        if not hasattr(state, "kg_waiting"):
            state.kg_waiting = {}  # type: ignore[attr-defined]
        return state.kg_waiting  # type: ignore[attr-defined]

    def _await_request(self) -> None:
        self._cancel_read_timer()
        self._waiting()[self] = None
        self._read_timer = self.loop.call_later(self.limits.read_timeout, self._read_timed_out)
        self._request_read()

    def _request_read(self) -> None:
        """Stop waiting once the whole request is in (h11 says the client is done)."""
        import h11

        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._cancel_read_timer()
            self._waiting().pop(self, None)

    def _cancel_read_timer(self) -> None:
        if getattr(self, "_read_timer", None) is not None:
            self._read_timer.cancel()  # type: ignore[union-attr]
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        self._waiting().pop(self, None)
        if not self.transport.is_closing():
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._read_timer is not None:
            self._request_read()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_read_timer()
        self._cancel_write_timer()
        self._waiting().pop(self, None)
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        self._cancel_write_timer()
        self._write_timer = self.loop.call_later(self.limits.write_timeout, self._write_timed_out)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._cancel_write_timer()

    def _cancel_write_timer(self) -> None:
        if getattr(self, "_write_timer", None) is not None:
            self._write_timer.cancel()  # type: ignore[union-attr]
            self._write_timer = None

    def _write_timed_out(self) -> None:
        self._write_timer = None
        self.transport.abort()  # close() would wait for the client to read what is buffered


def guarded_protocol(limits: ServeLimits) -> type[GuardedH11Protocol]:
    """:class:`GuardedH11Protocol` with the connection limits of ``limits``, as uvicorn's ``http``
    protocol class."""
    return type("KgServeProtocol", (GuardedH11Protocol,), {"limits": limits})


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


def _enough_descriptors(connections: int) -> None:
    """Raise the soft limit on open files towards the hard one, to hold ``connections`` and the store's files."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 1024
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(
    store_location: str,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    limits: ServeLimits | None = None,
    cors: Sequence[str] = (),
    quiet: bool = False,
    log: Callable[[str], None] | None = None,
    isolate: bool = True,
) -> None:
    """Serve the store folder at ``store_location`` until interrupted (Ctrl-C), within ``limits``
    (:class:`ServeLimits`; its defaults without); ``cors`` lists the web origins whose pages may
    read the answers.

    ``isolate=False`` evaluates queries in threads of this process instead of worker processes:
    only ``bench/serve_load.py`` uses it, as the baseline the workers' cost is read against.
    """
    import uvicorn

    from kg.serve.snapshot import SnapshotSource

    say = log or (lambda line: print(line, file=sys.stderr, flush=True))
    if str(store_location).startswith(("http://", "https://")):
        raise UsageError(f"kg serve serves a store folder, not {store_location}; point your tools at that server")
    if store_location == ":memory:":
        raise UsageError("kg serve needs a store folder built by kg build, not :memory:")
    limits = limits or ServeLimits()
    _enough_descriptors(limits.max_connections)
    sock = listen(host, port)
    try:
        source = SnapshotSource(store_location, on_wait=lambda m: say(f"kg serve: {m}")).start()
    except BaseException:
        sock.close()
        raise
    url = url_of(sock)
    app: Any = create_app(source, limits=limits, cors=cors, isolate=isolate)
    say(f"kg serve: {url}/ (page), {url}/sparql (SPARQL endpoint); store {store_location}, read-only; Ctrl-C stops")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"kg serve: listening on {host}: anyone who can reach this machine can query the store")
    config = uvicorn.Config(
        app,
        http=guarded_protocol(limits),
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        timeout_graceful_shutdown=2,
        lifespan="on",
        server_header=False,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn has shut down cleanly, then passes Ctrl-C on
        pass
    finally:
        source.close()
        sock.close()
    say("kg serve: stopped")

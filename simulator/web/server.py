"""Serving the app: a threading WSGI server on the standard library, a ready line, a clean stop on SIGTERM.

Why threads: the page polls a job while it runs, so a request must not wait for another; the jobs themselves run
one at a time (`App.run`).

Why the handler is strict: the server faces whatever a browser, a script or a scanner sends. Every socket has a
read timeout (`TIMEOUT`), so a client that stalls mid-headers or mid-body frees its thread; the body is read by
`app.read_body` with a hard cap whatever Content-Length says; a malformed request line or header is answered 400
by the standard library's parser, and anything that still goes wrong in a handler is one log line, never a
traceback on the volunteer's terminal. `--host` and `--workdir` are checked before the socket is opened
(`check_host`, `check_workdir`), so a bad flag is named as that flag.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ..analysis.runs.folder import claim_folder
from ..schema.files import InputError
from .app import App, log

TIMEOUT = 15.0  # seconds a client may stall between bytes (the page's own requests take milliseconds)
MAX_CONNECTIONS = 64  # open at once: the page polls with one or two; more is a script or an attack


class _Server(ThreadingMixIn, WSGIServer):
    """One thread per connection, at most `MAX_CONNECTIONS` at once: a connection beyond them is closed at once
    (a thousand idle sockets would otherwise be a thousand threads until their timeouts)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: object, client_address: object) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # type: ignore[arg-type]
            return
        try:
            super().process_request(request, client_address)  # type: ignore[arg-type]
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: object, client_address: object) -> None:
        try:
            super().process_request_thread(request, client_address)  # type: ignore[arg-type]
        finally:
            self._slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        """A connection that failed (reset, timed out, garbage): one line, never the base class's traceback."""
        err = sys.exc_info()[1]
        if not isinstance(err, (ConnectionError, TimeoutError)):
            log(f"a request from {client_address} failed: {type(err).__name__}")


class _Handler(WSGIRequestHandler):
    timeout = TIMEOUT  # StreamRequestHandler sets it on the socket: every read and write is bounded

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass  # the page polls twice a second: logging every request would bury the ready line

    def parse_request(self) -> bool:
        """The standard parser, plus 400 for what it lets through: a header line that is not `Name: value`, two
        Content-Length or Transfer-Encoding headers (which to believe?)."""
        if not super().parse_request():
            return False
        if self.headers.defects or any(len(self.headers.get_all(h) or []) > 1
                                       for h in ("Content-Length", "Transfer-Encoding", "Host")):
            self.send_error(400, "Bad request headers")
            return False
        return True

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away or stalled: nothing to answer


def check_host(host: str) -> str:
    """`--host` as an address to listen on: an IP address or a name that resolves (InputError naming --host)."""
    h = host.strip()
    if not h or len(h) > 253 or any(c.isspace() for c in h):
        raise InputError([f"--host: {host!r} is not an address (allowed: an IP address such as 127.0.0.1, or a "
                          "host name of this machine)"])
    try:
        ipaddress.ip_address(h)
        return h
    except ValueError:
        pass
    if all(p.isdigit() for p in h.split(".")):  # 256.1.1.1: looks like an IPv4 address and is not one
        raise InputError([f"--host: {host!r} is not a valid IPv4 address (allowed: four numbers 0-255, e.g. "
                          "127.0.0.1)"])
    try:
        socket.getaddrinfo(h, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise InputError([f"--host: {host!r} does not resolve to an address of this machine (allowed: an IP "
                          "address such as 127.0.0.1, or a host name that resolves)"]) from None
    return h


def check_workdir(workdir: Path | None) -> Path:
    """`--workdir`: a folder sendsim can write (made if new); InputError naming --workdir otherwise."""
    if workdir is None:
        return Path(tempfile.mkdtemp(prefix="sendsim-serve-"))
    if str(workdir).strip() == "":
        raise InputError(["--workdir: an empty name (allowed: a folder name)"])
    for p in (workdir, *workdir.parents):
        if p.is_symlink() and not p.exists():  # "cannot be made (File exists)" named no fault (seventh round)
            raise InputError([f"--workdir: {p} is a link that leads to no folder ({os.readlink(p)}) (allowed: a "
                              "folder, new or existing, or a link to one)"])
        if p.exists() and not p.is_dir():
            what = "is a file" if p == workdir else f"is inside {p}, which is a file"
            raise InputError([f"--workdir: {workdir} {what} (allowed: a folder, new or existing)"])
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError([f"--workdir: {workdir} cannot be made ({e.strerror or e}) (allowed: a folder you can "
                          "write)"]) from None
    if not os.access(workdir, os.W_OK | os.X_OK):
        raise InputError([f"--workdir: {workdir} is not writable (allowed: a folder you can write)"])
    try:  # the folder contract: new, empty, or a work folder this page marked before; never a folder of yours
        claim_folder(workdir, "web_work", accumulate=True)
    except InputError as e:
        raise InputError([ln.replace("--out:", "--workdir:", 1) for ln in e.lines]) from None
    return workdir


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2, workdir: Path | None = None) -> None:
    """Serve until SIGTERM or Ctrl-C; print `sendsim serve: ready at URL` on stderr once it accepts requests."""
    host = check_host(host)
    temporary = workdir is None  # a folder of its own in the system's temporary folder: removed when it stops
    workdir = check_workdir(workdir)
    try:
        app = App(workdir, workers)
    except BaseException:
        if temporary:
            _remove(workdir)
        raise
    try:
        httpd = make_server(host, port, app, server_class=_Server, handler_class=_Handler)
    except OSError as e:
        if temporary:
            _remove(workdir)
        raise InputError([f"--port: cannot listen on {host}:{port} ({e.strerror or e}) (allowed: a free port, or "
                          "0 for any)"]) from None

    def stop(_sig: int, _frame: object) -> None:
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, stop)  # a closed terminal stops it as SIGTERM does (not the CLI's 'interrupted')
    url = f"http://{host}:{httpd.server_port}/"
    where = f"results in {app.workdir}" + (" (a temporary folder, removed when it stops)" if temporary else "")
    print(f"sendsim serve: ready at {url} (stop with Ctrl-C or SIGTERM); {where}", file=sys.stderr, flush=True)
    if temporary:  # again at exit: a job still running when the server stopped may have written after the first
        atexit.register(_remove, workdir)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        if temporary:
            _remove(workdir)
        print("sendsim serve: stopped" + (f"; removed its temporary folder {workdir}" if temporary else ""),
              file=sys.stderr, flush=True)


def _remove(workdir: Path) -> None:
    """The web page's own temporary folder, at its stop (Ctrl-C, SIGTERM, SIGHUP): its jobs' files go with it (a
    folder named with --workdir is the user's and is kept). Why: every start left a folder in /tmp."""
    shutil.rmtree(workdir, ignore_errors=True)

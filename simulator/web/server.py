"""Serving the app: a threading WSGI server on the standard library, a ready line, a clean stop on SIGTERM.

Why threads: the page polls a job while it runs, so a request must not wait for another; the jobs themselves run
one at a time (`App.run`).
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import App


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass  # the page polls twice a second: logging every request would bury the ready line


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2, workdir: Path | None = None) -> None:
    """Serve until SIGTERM or Ctrl-C; print `sendsim serve: ready at URL` on stderr once it accepts requests."""
    app = App(workdir, workers)
    httpd = make_server(host, port, app, server_class=_Server, handler_class=_Quiet)

    def stop(_sig: int, _frame: object) -> None:
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    url = f"http://{host}:{httpd.server_port}/"
    print(f"sendsim serve: ready at {url} (stop with Ctrl-C or SIGTERM); results in {app.workdir}",
          file=sys.stderr, flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        print("sendsim serve: stopped", file=sys.stderr, flush=True)

"""The web server against hostile requests (issue 27): a hard cap on the body whatever Content-Length says, a read
timeout, 400 for bad headers and never a traceback, `--host` and `--workdir` checked at start, no internal path on
the page."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from simulator.schema.files import InputError
from simulator.web import server
from simulator.web.app import App, Job, read_body


def _exe() -> str:
    exe = shutil.which("sendsim", path=str(Path(sys.executable).parent)) or shutil.which("sendsim")
    assert exe, "sendsim is not installed"
    return exe


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A real `sendsim serve` on a free port: (process, host, port)."""
    work = tmp_path_factory.mktemp("serve") / "work"
    proc = subprocess.Popen([_exe(), "serve", "--port", "0", "--workdir", str(work)], stderr=subprocess.PIPE,
                            text=True)
    line = proc.stderr.readline()
    assert "ready at http://" in line, line
    hostport = line.split("ready at http://")[1].split("/")[0]
    host, port = hostport.rsplit(":", 1)
    yield proc, host, int(port)
    proc.terminate()
    proc.wait(10)


def _raw(host: str, port: int, data: bytes) -> bytes:
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_300_mb_body_with_content_length_minus_one_is_refused_and_the_server_stays_small(live):
    proc, host, port = live
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(b"POST /api/run HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
    block, sent, peak = b"a=" + b"x" * (1 << 20), 0, 0.0
    try:
        while sent < 300 * (1 << 20):
            s.sendall(block)
            sent += len(block)
            peak = max(peak, _rss_mb(proc.pid))
    except OSError:
        pass  # the server answered 400 and closed: the stream is cut short, as it should be
    finally:
        s.close()
    peak = max(peak, _rss_mb(proc.pid))
    assert peak < 150, f"server grew to {peak:.0f} MB"
    assert proc.poll() is None
    assert _raw(host, port, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200")


@pytest.mark.parametrize(("headers", "status"), [
    (b"Content-Length: abc\r\n", b"400"),
    (b"Content-Length: -5\r\n", b"400"),
    (b"Content-Length: 99999999999999999999\r\n", b"400"),
    (b"Content-Length: 200000\r\n", b"413"),
    (b"", b"411"),
    (b"Transfer-Encoding: chunked\r\n", b"411"),
])
def test_a_bad_content_length_is_a_4xx_never_a_traceback(live, headers, status):
    proc, host, port = live
    out = _raw(host, port, b"POST /api/run HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\nsource=council")
    assert out.split(b"\r\n")[0].split()[1] == status, out[:200]
    assert b"Traceback" not in out and b"/tmp" not in out


def test_garbage_request_lines_and_headers_get_400_and_the_server_keeps_serving(live):
    proc, host, port = live
    for junk in (b"\x00\xff\xfe garbage\r\n\r\n", b"GET / HTTP/1.1\r\nbad header line\r\n\r\n",
                 b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"POST /api/run HTTP/9.9\r\n\r\n",
                 b"POST /api/run HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 900\r\n\r\nabc"):
        out = _raw(host, port, junk)
        assert b"Traceback" not in out
        assert out == b"" or out.split()[1][:1] == b"4" or b"Error code: 4" in out or b"Error code: 505" in out, \
            out[:300]
    assert _raw(host, port, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200")
    assert proc.poll() is None


def test_a_stalled_body_times_out_and_frees_its_thread(monkeypatch, tmp_path):
    environ = {"CONTENT_LENGTH": "10", "wsgi.input": _Stalls()}
    body, problem = read_body(environ)
    assert problem is not None and problem[0].startswith("408")
    monkeypatch.setattr(server._Handler, "timeout", 0.3)
    app = App(tmp_path / "w")
    from wsgiref.simple_server import make_server

    httpd = make_server("127.0.0.1", 0, app, server_class=server._Server, handler_class=server._Handler)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        s = socket.create_connection(("127.0.0.1", httpd.server_port), timeout=5)
        s.sendall(b"POST /api/run HTTP/1.1\r\nContent-Length: 50\r\n\r\nabc")  # then nothing
        t0 = time.time()
        got = s.recv(1000)
        assert time.time() - t0 < 3
        assert got == b"" or b"408" in got.split(b"\r\n")[0]
        s.close()
    finally:
        httpd.shutdown()
        httpd.server_close()


class _Stalls:
    def read(self, n: int) -> bytes:
        raise TimeoutError("timed out")


@pytest.mark.parametrize(("args", "flag"), [
    (["--host", "256.1.1.1"], "--host"), (["--host", "no such host"], "--host"),
    (["--host", "nonexistent.invalid"], "--host"), (["--workdir", "FILE"], "--workdir"),
    (["--workdir", "FILE/sub"], "--workdir"), (["--workdir", "DIR"], "--workdir"),
])
def test_serve_checks_host_and_workdir_at_start_naming_the_flag(tmp_path, args, flag):
    f = tmp_path / "afile"
    f.write_text("mine")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    args = [a.replace("FILE", str(f)).replace("DIR", str(tmp_path / "mine")) for a in args]
    p = subprocess.run([_exe(), "serve", "--port", "0", *args], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith(f"error: {flag}:") and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert f.read_text() == "mine" and (tmp_path / "mine" / "notes.txt").read_text() == "mine"
    assert os.listdir(tmp_path / "mine") == ["notes.txt"]


def test_check_host_accepts_addresses_and_local_names():
    assert server.check_host("127.0.0.1") == "127.0.0.1"
    assert server.check_host("::1") == "::1"
    assert server.check_host("localhost") == "localhost"
    with pytest.raises(InputError):
        server.check_host("")


def test_the_page_never_shows_the_servers_paths(tmp_path):
    app = App(tmp_path / "w")
    job = Job("abcdef012345", {}, app.workdir / "abcdef012345")
    msg = app.public(f"{job.folder}/scenario/x.yaml:3: name: got '' ; /usr/lib/python3/site.py: broken", job)
    assert str(tmp_path) not in msg and "/usr/lib" not in msg
    assert "scenario/x.yaml:3: name" in msg and "site.py: broken" in msg


def test_a_body_trickled_past_the_deadline_is_cut_off(monkeypatch):
    from simulator.web import app as app_mod

    class Trickle:
        def read(self, n: int) -> bytes:
            time.sleep(0.05)
            return b"a"

    monkeypatch.setattr(app_mod, "BODY_SECONDS", 0.2)
    body, problem = read_body({"CONTENT_LENGTH": "1000", "wsgi.input": Trickle()})
    assert problem is not None and problem[0].startswith("408")
    body, problem = read_body({"CONTENT_LENGTH": "3", "wsgi.input": Trickle()})
    assert problem is None and body == "aaa"


def test_connections_beyond_the_limit_are_closed_not_queued_as_threads(monkeypatch, tmp_path):
    from wsgiref.simple_server import make_server

    monkeypatch.setattr(server, "MAX_CONNECTIONS", 3)
    httpd = make_server("127.0.0.1", 0, App(tmp_path / "w"), server_class=server._Server,
                        handler_class=server._Handler)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    idle = [socket.create_connection(("127.0.0.1", httpd.server_port), timeout=5) for _ in range(3)]
    try:
        time.sleep(0.3)
        extra = socket.create_connection(("127.0.0.1", httpd.server_port), timeout=5)
        extra.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert extra.recv(100) == b""  # closed at once: no thread for it
        extra.close()
        threads = threading.active_count()
        for s in idle:
            s.close()
        time.sleep(0.5)
        assert threading.active_count() < threads
        assert _raw("127.0.0.1", httpd.server_port, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_report_and_summary_for_the_page_hold_no_server_path(tmp_path):
    app = App(tmp_path / "w")
    job = Job("abcdef012345", {}, app.workdir / "abcdef012345")
    html = f"<li>file <code>{job.folder}/scenario/x.yaml</code></li><li>a</li>"
    out = app.unrooted(html, job)
    assert out == "<li>file <code>scenario/x.yaml</code></li><li>a</li>"


def test_head_is_answered_as_get_without_a_body_and_a_wrong_method_gets_405(live):
    """A link checker or `curl -I` asks HEAD: it got 404 for the page that GET serves. Now the page's headers with no
    body (RFC 9110 9.3.2); a known address asked with a method it does not take gets 405 naming those it takes."""
    proc, host, port = live
    get = _raw(host, port, b"GET / HTTP/1.0\r\n\r\n")
    head = _raw(host, port, b"HEAD / HTTP/1.0\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200")
    head_headers, _, head_body = head.partition(b"\r\n\r\n")
    get_headers, _, get_body = get.partition(b"\r\n\r\n")
    assert head_body == b"" and len(get_body) > 1000
    length = next(h for h in head_headers.split(b"\r\n") if h.lower().startswith(b"content-length:"))
    assert int(length.split(b":")[1]) == len(get_body)
    wrong = _raw(host, port, b"GET /api/run HTTP/1.0\r\n\r\n")
    assert wrong.startswith(b"HTTP/1.0 405") and b"Allow: POST" in wrong
    wrong = _raw(host, port, b"POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n")
    assert wrong.startswith(b"HTTP/1.0 405") and b"Allow: GET, HEAD" in wrong
    assert _raw(host, port, b"HEAD /nothing HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 404")
    assert proc.poll() is None

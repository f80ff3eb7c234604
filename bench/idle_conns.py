#!/usr/bin/env python3
"""Open many idle keep-alive TLS connections to one local server and report its RSS.

Used by bench/run. Connects to 127.0.0.1 only, a bounded number of times, within a
bounded time. Each connection does the TLS handshake, by default sends one
keep-alive GET and reads the reply (so the server sees an idle keep-alive
connection, not a half-open one waiting for its first request), then stays open
and silent. While all are held, the server's VmRSS is sampled from /proc.

Prints one JSON object on stdout; progress goes to stderr.
"""

import argparse
import errno
import json
import os
import resource
import selectors
import socket
import ssl
import sys
import time


def status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Conn:
    __slots__ = ("sock", "state", "buf", "req_off")

    def __init__(self, sock):
        self.sock = sock
        self.state = "connect"  # connect -> handshake -> send -> recv -> idle
        self.buf = b""
        self.req_off = 0


def reply_complete(buf):
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding":
            return body.endswith(b"0\r\n\r\n")
    return length is not None and len(body) >= length


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--pid", type=int, required=True, help="server process whose RSS is sampled")
    p.add_argument("--hold", type=float, default=10.0, help="seconds to hold all connections")
    p.add_argument("--open-timeout", type=float, default=120.0, help="give up opening after this many seconds")
    p.add_argument("--in-flight", type=int, default=200, help="connections being set up at once")
    p.add_argument("--path", default="/hello.json")
    p.add_argument("--no-request", action="store_true", help="only handshake, send no request")
    a = p.parse_args()
    if a.count <= 0 or a.count > 50000:
        p.error("--count must be in 1..50000")

    limit = raise_nofile(a.count + 256)
    if limit < a.count + 64:
        print(f"idle_conns: RLIMIT_NOFILE is {limit}, too low for {a.count}", file=sys.stderr)
        return 2

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # self-signed bench cert on 127.0.0.1
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_alpn_protocols(["http/1.1"])
    request = (f"GET {a.path} HTTP/1.1\r\nHost: 127.0.0.1:{a.port}\r\n"
               "User-Agent: bulwark-bench-idle\r\nAccept: */*\r\n\r\n").encode()

    rss_before = status_kib(a.pid, "VmRSS")
    sel = selectors.DefaultSelector()
    started = 0
    in_flight = 0
    idle = []
    failed = 0
    fail_reasons = {}
    t0 = time.monotonic()
    deadline = t0 + a.open_timeout

    def fail(c, why):
        nonlocal failed, in_flight
        failed += 1
        in_flight -= 1
        fail_reasons[why] = fail_reasons.get(why, 0) + 1
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()

    def want(c, events):
        sel.modify(c.sock, events, c)

    def step(c):
        """Advance one connection as far as it can go without blocking."""
        nonlocal in_flight
        try:
            if c.state == "connect":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    return fail(c, errno.errorcode.get(err, str(err)))
                raw = c.sock
                sel.unregister(raw)
                c.sock = ctx.wrap_socket(raw, do_handshake_on_connect=False)
                sel.register(c.sock, selectors.EVENT_READ, c)
                c.state = "handshake"
            if c.state == "handshake":
                c.sock.do_handshake()
                c.state = "idle" if a.no_request else "send"
            if c.state == "send":
                while c.req_off < len(request):
                    c.req_off += c.sock.send(request[c.req_off:])
                c.state = "recv"
                want(c, selectors.EVENT_READ)
            if c.state == "recv":
                while True:
                    chunk = c.sock.recv(65536)
                    if not chunk:
                        return fail(c, "closed-before-reply")
                    c.buf += chunk
                    if reply_complete(c.buf):
                        if not c.buf.startswith(b"HTTP/1.1 2"):
                            return fail(c, "status " + c.buf[9:12].decode(errors="replace"))
                        c.buf = b""
                        c.state = "idle"
                        break
            if c.state == "idle":
                sel.unregister(c.sock)
                idle.append(c)
                in_flight -= 1
        except ssl.SSLWantReadError:
            want(c, selectors.EVENT_READ)
        except ssl.SSLWantWriteError:
            want(c, selectors.EVENT_WRITE)
        except (OSError, ssl.SSLError, ValueError) as e:
            fail(c, type(e).__name__)

    while (len(idle) + failed) < a.count and time.monotonic() < deadline:
        while started < a.count and in_flight < a.in_flight:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            c = Conn(s)
            started += 1
            in_flight += 1
            rc = s.connect_ex(("127.0.0.1", a.port))
            if rc not in (0, errno.EINPROGRESS):
                fail_reasons[errno.errorcode.get(rc, str(rc))] = fail_reasons.get(errno.errorcode.get(rc, str(rc)), 0) + 1
                failed += 1
                in_flight -= 1
                s.close()
                continue
            sel.register(s, selectors.EVENT_WRITE, c)
        for key, _ in sel.select(timeout=1.0):
            step(key.data)
        done = len(idle) + failed
        if done and done % 2000 == 0:
            print(f"idle_conns: {len(idle)} open, {failed} failed", file=sys.stderr)
    open_secs = time.monotonic() - t0
    # whatever is still being set up when time ran out counts as failed
    for key in list(sel.get_map().values()):
        fail(key.data, "open-timeout")

    # Hold: watch every idle connection for a close from the server, sample RSS.
    for c in idle:
        sel.register(c.sock, selectors.EVENT_READ, c)
    closed = 0
    samples = []
    end = time.monotonic() + a.hold
    next_sample = time.monotonic() + min(1.0, a.hold / 2)
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.25):
            c = key.data
            try:
                data = c.sock.recv(4096)  # TLS 1.3 session tickets land here, no app data
                if data:
                    continue
                gone = True
            except ssl.SSLWantReadError:
                gone = False
            except (OSError, ssl.SSLError):
                gone = True
            if gone:
                closed += 1
                sel.unregister(c.sock)
                c.sock.close()
        if time.monotonic() >= next_sample:
            rss = status_kib(a.pid, "VmRSS")
            if rss is not None:
                samples.append(rss)
            next_sample += 1.0
    result = {
        "requested": a.count,
        "opened": len(idle),
        "failed": failed,
        "fail_reasons": fail_reasons,
        "closed_by_server_during_hold": closed,
        "open_at_end": len(idle) - closed,
        "open_seconds": round(open_secs, 1),
        "rss_before_kib": rss_before,
        "rss_held_max_kib": max(samples) if samples else None,
        "hwm_kib": status_kib(a.pid, "VmHWM"),
        "sent_request": not a.no_request,
    }
    for c in idle:
        try:
            c.sock.close()
        except OSError:
            pass
    print(json.dumps(result))
    return 0 if len(idle) > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Usage: client.py PORT SECONDS [lock]
Stream threads open GET /repro/sse, wait for 2 events, then reset the connection (SO_LINGER 0).
Probe threads open fresh connections for GET /repro/probe, POST /repro/probe, GET /repro/static.txt
and check each got a complete answer."""
import socket, struct, sys, threading, time, random, collections

PORT, SECS = int(sys.argv[1]), float(sys.argv[2])
LOCK = len(sys.argv) > 3 and sys.argv[3] == "lock"
N_STREAM, N_PROBE = 6, 2
stop = time.time() + SECS
cnt = collections.Counter(); mu = threading.Lock(); samples = []
def inc(k, sample=None):
    with mu:
        cnt[k] += 1
        if sample is not None and sum(1 for x in samples if x[0] == k) < 1: samples.append((k, sample))

def conn():
    s = socket.create_connection(("127.0.0.1", PORT)); s.settimeout(3); return s

def streamer():
    path = "/repro/sse" + ("?lock=1" if LOCK else "")
    while time.time() < stop:
        s = conn(); buf = b""
        try:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            while buf.count(b"data: tick") < 2:
                d = s.recv(4096)
                if not d: inc("STREAM_CLOSED_EARLY " + ("nothing" if not buf else "after %d bytes" % len(buf)), buf[:120]); break
                buf += d
            else:
                inc("stream_ok")
        except socket.timeout:
            inc("STREAM_STALLED after %d events" % buf.count(b"data: tick"), buf[:120])
        time.sleep(random.random() * 0.01)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()                                   # RST: the ticker's next write/flush fails

PROBES = [("GET /repro/probe", b"", b"\nend\n"),
          ("POST /repro/probe", b"x" * 100, b"\nend\n"),
          ("GET /repro/static.txt", b"", b"static-end\n")]
def prober():
    i = 0
    while time.time() < stop:
        req, body, tail = PROBES[i % 3]; i += 1
        s = conn(); buf = b""
        try:
            s.sendall(f"{req} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
            while True:
                d = s.recv(65536)
                if not d: break
                buf += d
        except (socket.timeout, ConnectionError) as e:
            buf += f" <{e.__class__.__name__}>".encode()
        s.close()
        chunked = b"chunked" in buf.split(b"\r\n\r\n")[0]
        ok = buf.startswith(b"HTTP/1.1 200") and (buf.endswith(b"\r\n0\r\n\r\n") and tail in buf if chunked else buf.endswith(tail))
        name = req.split()[0] + " " + req.split()[1].rsplit("/", 1)[1]
        if ok: inc("probe_ok " + name)
        else: inc("PROBE_FAIL %s: %s" % (name, "nothing" if not buf else "cut after 'begin'" if buf.endswith(b"begin\n\r\n") else "other"), buf[:60] + b" ... " + buf[-40:])
        time.sleep(0.002)

ts = [threading.Thread(target=streamer) for _ in range(N_STREAM)] + [threading.Thread(target=prober) for _ in range(N_PROBE)]
for t in ts: t.start()
for t in ts: t.join()
for k in sorted(cnt): print(f"  {k:28s} {cnt[k]}")
for k, v in samples: print("  sample", k, v)

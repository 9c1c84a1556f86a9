#!/usr/bin/env python3
"""Deterministic reproduction. Usage: jdbrepro.py HTTP_PORT JDWP_PORT LINE_OF_setErrorException [lock]
Tomcat must run with `catalina.sh jpda start` (JPDA_ADDRESS=127.0.0.1:JDWP_PORT, JPDA_SUSPEND=n)."""
import socket, struct, subprocess, sys, threading, time, re

HTTP, JDWP, LINE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
LOCK = sys.argv[4:] == ["lock"]
jdb = subprocess.Popen(["jdb", "-attach", "127.0.0.1:" + JDWP], stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
out, mu = [], threading.Lock()
def reader():
    for line in jdb.stdout:
        with mu: out.append(line)
threading.Thread(target=reader, daemon=True).start()
T0 = time.time()
def say(cmd): print("jdb> " + cmd); jdb.stdin.write(cmd + "\n"); jdb.stdin.flush()
def wait_for(pattern, timeout=20, fatal=True):
    end = time.time() + timeout; seen = 0
    while time.time() < end:
        with mu: text = "".join(out)
        m = re.search(pattern, text)
        if m: return text
        time.sleep(0.1)
    if not fatal: return None
    sys.exit("timeout waiting for %r; jdb said:\n%s" % (pattern, "".join(out)))
def show(since):
    with mu: text = "".join(out[since:])
    for l in text.splitlines():
        l = re.sub(r"^(> |[\w-]+\[\d+\] )+", "", l).strip()
        if l: print("    " + l)
    return len(out)
def mark():
    with mu: return len(out)

wait_for(r"Initializing jdb"); time.sleep(1)
m = mark()
say(f"stop thread at org.apache.coyote.AbstractProcessor:{LINE}")   # response.setErrorException(ioe) in CLIENT_FLUSH
say("stop go at org.apache.coyote.AbstractProtocol$RecycledProcessors:1659")  # report (no suspend) every processor push
wait_for(r"Set breakpoint org.apache.coyote.AbstractProtocol\$RecycledProcessors"); m = show(m)

print("1. open one SSE stream, read two events, then reset it (SO_LINGER 0)")
s = socket.create_connection(("127.0.0.1", HTTP))
s.sendall(b"GET /repro/sse%s HTTP/1.1\r\nHost: x\r\n\r\n" % (b"?lock=1" if LOCK else b""))
buf = b""
while buf.count(b"data: tick") < 2: buf += s.recv(4096)
print("   stream local port", s.getsockname()[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()

print("2. the application thread's flush fails; it has handed the error to a container thread and stops here:")
wait_for(r'Breakpoint hit: "thread=sse-ticker".*line=' + LINE); time.sleep(0.5)
print("3. the container thread runs the ERROR dispatch (onError, complete, access log) and recycles the processor (push):")
if not wait_for(r'Breakpoint hit: "thread=http-nio-\d+-exec-\d+", org.apache.coyote.AbstractProtocol\$RecycledProcessors.push', 5, fatal=False):
    print("    (no push within 5 s: the container thread is waiting in onError for the stream lock)")
time.sleep(1)
m = show(m)
say("threads"); time.sleep(1.5)
with mu: tid = re.search(r"\(java\.lang\.Thread\)(\S+)\s+sse-ticker", "".join(out[m:])).group(1)
m = mark()
say("thread " + tid); say("where"); say("print this.socketWrapper"); time.sleep(2); m = show(m)

print("4. a fresh probe connection: POST /repro/probe, headers + half of the body (servlet blocks reading it)")
p = socket.create_connection(("127.0.0.1", HTTP)); p.settimeout(5)
p.sendall(b"POST /repro/probe HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10\r\n\r\n12345")
print("   probe local port", p.getsockname()[1]); time.sleep(1)
say("thread " + tid); say("print this.socketWrapper"); time.sleep(3); m = show(m)

print("5. let the application thread go on (it executes response.setErrorException(ioe)), then finish the probe body")
say("clear org.apache.coyote.AbstractProtocol$RecycledProcessors:1659"); say("thread " + tid); say("cont"); time.sleep(1)
p.sendall(b"67890"); print("   rest of probe body sent at +%.1fs" % (time.time() - T0))
resp = b""
try:
    while True:
        d = p.recv(65536)
        if not d: break
        resp += d
except Exception as e: resp += (" <%s>" % e).encode()
print("   probe connection ended at +%.1fs" % (time.time() - T0))
m = show(m)
print("6. the probe's answer (%d bytes):" % len(resp))
for l in resp.decode(errors="replace").split("\r\n"): print("    |" + l)
print("   complete" if resp.endswith(b"\r\n0\r\n\r\n") else "   TRUNCATED: the probe was cut after its first flush")
say("clear org.apache.coyote.AbstractProcessor:" + LINE); time.sleep(0.5)
jdb.stdin.close(); jdb.kill()

#!/usr/bin/env python3
"""A sign-in flood against a running yunwei (issue 14): N logins for unknown names from T threads at
once, all from one address, sampling the server's resident memory; then how soon a valid sign-in
from the same address succeeds; then the time of a wrong password for a known and an unknown name
(each attempt from its own address through a trusted proxy header, so the limits stay out of it).

Usage: login-flood.py BASE_URL SERVER_PID ADMIN_PASSWORD [N] [THREADS] [spread]
With `spread`, each flood request comes from its own address (X-Forwarded-For through the trusted
proxy): no address limit applies, so the bound on password checks running at once is what holds.
"""
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

base, pid, admin_password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 600
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 200
spread = len(sys.argv) > 6 and sys.argv[6] == "spread"
host = urllib.parse.urlparse(base)


def rss_mib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def login(username, password, forwarded=None):
    c = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    headers = {"content-type": "application/json"}
    if forwarded:
        headers["x-forwarded-for"] = forwarded
    start = time.perf_counter()
    c.request("POST", "/api/v1/auth/login", json.dumps({"username": username, "password": password}), headers)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, time.perf_counter() - start


def create_users(count):
    """Known accounts for the timing comparison, one wrong password each (no lockout, no limit)."""
    _, _ = login("admin", admin_password)
    c = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    c.request("POST", "/api/v1/auth/login", json.dumps({"username": "admin", "password": admin_password}),
              {"content-type": "application/json"})
    token = json.loads(c.getresponse().read())["token"]
    for i in range(count):
        body = json.dumps({"username": f"known{i}", "role": "auditor", "password": "Known#2026x"})
        c.request("POST", "/api/v1/users", body, {"content-type": "application/json", "authorization": f"Bearer {token}"})
        r = c.getresponse()
        r.read()
        assert r.status == 201, r.status
    c.close()


create_users(40)
statuses = {}
lock = threading.Lock()
peak = [rss_mib()]
before = peak[0]
done = threading.Event()


def sampler():
    while not done.is_set():
        peak[0] = max(peak[0], rss_mib())
        time.sleep(0.02)


counter = iter(range(n))


def worker():
    while True:
        with lock:
            i = next(counter, None)
        if i is None:
            return
        try:
            s, _ = login(f"ghost{i}", "Nope#2026x", forwarded=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}" if spread else None)
        except Exception as e:  # a dropped connection is a failure of the contract
            s = type(e).__name__
        with lock:
            statuses[s] = statuses.get(s, 0) + 1


s = threading.Thread(target=sampler)
s.start()
t0 = time.perf_counter()
ws = [threading.Thread(target=worker) for _ in range(threads)]
for w in ws:
    w.start()
for w in ws:
    w.join()
flood = time.perf_counter() - t0
after_flood = time.perf_counter()
valid_after = None
while time.perf_counter() - after_flood < 20:
    st, _ = login("admin", admin_password)
    if st == 200:
        valid_after = time.perf_counter() - after_flood
        break
    time.sleep(0.25)
done.set()
s.join()

# Timing of a wrong password: known name vs unknown name, interleaved, each from its own address.
known, unknown = [], []
for i in range(40):
    _, a = login(f"known{i}", "Wrong#2026x", forwarded=f"198.18.{i // 250}.{i % 250 + 1}")
    _, b = login(f"nobody{i}", "Wrong#2026x", forwarded=f"198.19.{i // 250}.{i % 250 + 1}")
    known.append(a * 1000)
    unknown.append(b * 1000)

where = "each from its own address" if spread else "all from one address"
print(f"flood: {n} sign-ins for unknown names from {threads} threads, {where}, in {flood:.1f} s")
print(f"answers: {dict(sorted((str(k), v) for k, v in statuses.items()))}")
print(f"server RSS: {before:.0f} MiB before, peak {peak[0]:.0f} MiB during the flood")
print("valid sign-in from the same address after the flood: " + (f"{valid_after:.2f} s" if valid_after is not None else "not within 20 s"))
print(f"wrong password, known name: median {statistics.median(known):.1f} ms, mean {statistics.mean(known):.1f} ms")
print(f"wrong password, unknown name: median {statistics.median(unknown):.1f} ms, mean {statistics.mean(unknown):.1f} ms")
ok = set(statuses) <= {401, 429} and peak[0] < 512 and valid_after is not None
print("contract (401/429 only, < 512 MiB, valid sign-in within 20 s): " + ("met" if ok else "NOT MET"))
sys.exit(0 if ok else 1)

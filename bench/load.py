"""Benchmark: many users browsing at once, and what reaches Dokku meanwhile.

Not a test. Starts the test sshd (forced to the Dokku emulator, 200 ms per
call by default) and Docklight under gunicorn with its default worker count,
then for 10, 50 and 200 clients, each browsing for T seconds (the dashboard's
apps fragment and app overview tabs, a short random pause between pages),
prints side by side:

  errors        answers other than 200/304, and failed connections
  p50/p95/p99   latency of every answer, ms (the cache is warm when a size starts)
  req/s         answers per second
  ps:report/TTL all-apps ps:report calls that reached Dokku per cache-TTL window
                (mean and worst window), from the emulator's argv log
  gap           the shortest time between two of those calls, s (one per TTL
                means no gap much shorter than the TTL)
  all/TTL       every Dokku command per TTL window (all reports of the open pages)
  floor         one raw paramiko `ps:report` on a warm connection, ms
  RSS           the workers' resident memory before and after the size, MiB

Clients share one login (a signed session cookie), so the run measures
browsing, not password hashing. They send Origin like a browser. The client
threads run on the same machine as the server and compete with it for CPU.

Run: .venv/bin/python bench/load.py [--seconds 30] [--clients 10,50,200] [--delay-ms 200]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from bench.dashboard import raw_client, raw_run  # noqa: E402
from docklight.emulator import state as emu  # noqa: E402
from tests.conftest import PASSWORD, app_config, standard_apps  # noqa: E402
from tests.live import LiveServer  # noqa: E402
from tests.sshd import SSHServer  # noqa: E402

TTL = 10.0
APPS = 12  # apps on the emulated host; clients open their overview tabs
PAUSE = (0.5, 1.5)  # seconds a client looks at a page before the next


def make_apps(n: int) -> list:
    """Return n emulator apps: the standard four, then more like them."""
    apps = standard_apps()
    for i in range(n - len(apps)):
        apps.append(emu.make_app(f"app-{i:03d}", processes={"web": 1 + i % 3},
                                 domains=[f"app-{i:03d}.example.com"]))
    return apps


def login(url: str) -> str:
    """Log in once; return the session cookie every client sends."""
    host = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    body = urllib.parse.urlencode({"password": PASSWORD})
    conn.request("POST", "/api/auth/login", body, {
        "Origin": url, "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    cookies = [v.split(";", 1)[0] for k, v in r.getheaders() if k.lower() == "set-cookie"]
    conn.close()
    if not cookies:
        raise SystemExit(f"login failed: {r.status}")
    return "; ".join(cookies)


def worker_rss(server) -> dict[int, float]:
    """Return {pid: RSS MiB} of gunicorn's workers."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != server.proc.pid:
                continue
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        out[int(entry)] = int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            continue
    return out


class Client(threading.Thread):
    """One browser: keep-alive connection, pages one after another with a pause."""

    def __init__(self, url, cookie, names, until, results, lock):
        super().__init__(daemon=True)
        self.url = url
        split = urllib.parse.urlsplit(url)
        self.host, self.port = split.hostname, split.port
        self.cookie, self.names, self.until = cookie, names, until
        self.results, self.lock = results, lock
        self.rng = random.Random()

    def run(self):
        conn = None
        time.sleep(self.rng.uniform(0, PAUSE[1]))  # browsers do not start in step
        while time.monotonic() < self.until:
            if self.rng.random() < 0.5:
                path = "/apps"
            else:
                path = f"/apps/{self.rng.choice(self.names)}/overview"
            started = time.perf_counter()
            status = None
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                conn.request("GET", path, headers={
                    "Cookie": self.cookie, "HX-Request": "true", "Origin": self.url,
                    "Sec-Fetch-Site": "same-origin"})
                r = conn.getresponse()
                r.read()
                status = r.status
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
            elapsed = time.perf_counter() - started
            with self.lock:
                self.results.append((status, elapsed))
            time.sleep(self.rng.uniform(*PAUSE))
        if conn is not None:
            conn.close()


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def bulk_starts(sshd, since: float, until: float) -> list[float]:
    return [e["ts"] for e in emu.read_argv_log(sshd.emulator_home)
            if e.get("event") == "start" and e.get("argv") == ["ps:report"]
            and since <= e["ts"] <= until]


def all_starts(sshd, since: float, until: float) -> list[float]:
    return [e["ts"] for e in emu.read_argv_log(sshd.emulator_home)
            if e.get("event") == "start" and since <= e["ts"] <= until]


def per_window(starts, since, seconds) -> tuple[float, int]:
    """Return the mean and the most starts in one TTL window, over whole windows only.

    The run ends a little after a multiple of the TTL (clients finish their
    last page); that tail is left out, not added to the last window, where
    it would count a refresh of the next window as a second one in this.
    """
    windows = max(1, int(seconds // TTL))
    counts = [0] * windows
    for ts in starts:
        index = int((ts - since) // TTL)
        if index < windows:
            counts[index] += 1
    return sum(counts) / windows, max(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", default="10,50,200")
    parser.add_argument("--delay-ms", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(n) for n in args.clients.split(",")]

    sshd = SSHServer(REPO).start()
    data_dir = tempfile.mkdtemp(prefix="docklight-load-")
    server = None
    try:
        apps = make_apps(APPS)
        emu.write_state(sshd.emulator_home, emu.new_state(apps=apps))
        emu.write_settings(sshd.emulator_home, delay_ms=args.delay_ms, step_delay_ms=0)
        for entry in os.scandir(sshd.emulator_home):
            if entry.is_file():
                os.chmod(entry.path, 0o666)
        env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
        env.update(DOCKLIGHT_LOG_LEVEL="warning", DOCKLIGHT_CACHE_TTL=str(TTL))
        server = LiveServer(env)
        cookie = login(server.url)
        names = sorted(emu.new_state(apps=apps)["apps"])
        raw = raw_client(sshd)
        raw_run(raw, "version")
        floor = statistics.median(_timed(lambda: raw_run(raw, "ps:report")) for _ in range(5))
        raw.close()
        workers = len(worker_rss(server))
        print(f"Emulated Dokku delay {args.delay_ms} ms per call; {APPS} apps; cache TTL "
              f"{TTL:g} s; {workers} gunicorn workers; {args.seconds:g} s per size; "
              f"floor (one raw ps:report) {floor * 1000:.0f} ms.")
        print(f"{'clients':>7} {'requests':>8} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} "
              f"{'req/s':>6} {'ps:report/TTL':>14} {'gap':>5} {'all/TTL':>7} {'p99/floor':>9} "
              f"{'RSS MiB':>17}")
        for n in sizes:
            # Warm: the dashboard and every overview tab, on fresh connections
            # (so every worker gets some: each asks Dokku its version once).
            warm_up(Client(server.url, cookie, names, 0, [], threading.Lock()), names,
                    args.delay_ms / 1000)
            rss_before = worker_rss(server)
            results, lock = [], threading.Lock()
            since = time.time()
            until = time.monotonic() + args.seconds
            clients = [Client(server.url, cookie, names, until, results, lock) for _ in range(n)]
            for c in clients:
                c.start()
            for c in clients:
                c.join(args.seconds + 120)
            ended = time.time()
            rss_after = worker_rss(server)
            times = [t for _, t in results]
            errors = sum(1 for status, _ in results if status not in (200, 304))
            starts = sorted(bulk_starts(sshd, since, ended))
            mean, worst = per_window(starts, since, ended - since)
            gaps = [b - a for a, b in zip(starts, starts[1:])]
            gap = f"{min(gaps):5.1f}" if gaps else "    -"
            everything, _ = per_window(all_starts(sshd, since, ended), since, ended - since)
            before = sum(rss_before.values())
            after = sum(rss_after.values())
            p99 = percentile(times, 0.99)
            print(f"{n:>7} {len(results):>8} {errors:>6} {percentile(times, .5) * 1000:>6.0f}ms "
                  f"{percentile(times, .95) * 1000:>6.0f}ms {p99 * 1000:>6.0f}ms "
                  f"{len(results) / (ended - since):>6.1f} {mean:>7.2f} (max {worst}) {gap} "
                  f"{everything:>7.1f} "
                  f"{p99 / floor:>8.2f}x {before:>7.1f} -> {after:>6.1f}")
            sys.stdout.flush()
    finally:
        if server:
            server.stop()
        sshd.cleanup()


def warm_up(client: Client, names, delay: float) -> None:
    """Open the dashboard and every overview tab until each worker has them all cached.

    Connections land on whichever worker accepts them, and an app's tabs
    are cached per worker, so a fixed number of rounds could leave a worker
    cold for some app: its first client would then wait on Dokku and count
    as a warm answer. A request served from a worker's cache takes less than
    one Dokku call; three rounds in a row with no slower answer (at most 20)
    make it unlikely that any worker still misses a page.
    """
    quiet = 0
    for _ in range(20):
        slow = False
        for name in [None, *names]:
            slow |= _timed(lambda: warm_path(client, name)) >= delay
        quiet = 0 if slow else quiet + 1
        if quiet == 3:
            return


def warm_path(client: Client, name) -> None:
    path = "/apps" if name is None else f"/apps/{name}/overview"
    conn = http.client.HTTPConnection(client.host, client.port, timeout=60)
    conn.request("GET", path, headers={"Cookie": client.cookie, "HX-Request": "true",
                                       "Origin": client.url})
    r = conn.getresponse()
    r.read()
    conn.close()
    if r.status != 200:
        raise SystemExit(f"warm-up GET {path}: {r.status}")


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()

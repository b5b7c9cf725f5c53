"""Live-log fan-out under load (not a test).

    .venv/bin/python bench/logs.py [--seconds 15] [--rate 200] [--workers N]

Starts the test sshd (tests/sshd.py, forced to the Dokku emulator) and the
real server (tests/live.py: gunicorn -k gevent with the Procfile line), makes
the emulator print synthetic log lines at --rate lines/s per app, and measures
two scenarios:

  A. 50 viewers on one app;
  B. 10 apps x 5 viewers.

For each: lines delivered per second (all viewers together), latency p50/p99
from the emulator writing a line (its RFC3339Nano timestamp, same clock) to a
viewer receiving it, lines skipped, `logs` channels Docklight opened, and the
gunicorn workers' RSS (/proc, summed) before, during and after; --workers N
runs N workers, and the channel count shows whether Dokku still sees one
upstream per app. Next to it, one raw paramiko reader of the same stream (pty, exec `logs <app> --num 0 --tail`) is
the floor; ratios are Docklight over the floor.

All viewers are read by one thread with wsproto and a selector, so the
client adds as little as it can to what is measured. Everything runs on this
machine, so the clients, gunicorn, sshd and the emulator share its CPUs.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wsproto import ConnectionType, WSConnection  # noqa: E402
from wsproto.events import (AcceptConnection, CloseConnection, Ping, RejectConnection,  # noqa: E402
                            Request, TextMessage)

from docklight.emulator import state as emu  # noqa: E402
from docklight.loglines import timestamp_ns  # noqa: E402
from tests.conftest import PASSWORD, Emulator, app_config  # noqa: E402
from tests.live import LiveServer  # noqa: E402
from tests.sshd import SSHServer  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_P99_MS = 100.0


# --- clients ---------------------------------------------------------------------------

class Viewer:
    """One WebSocket viewer, driven by Readers (no thread of its own)."""

    def __init__(self, url: str, cookie: str, origin: str):
        parts = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.ws = WSConnection(ConnectionType.CLIENT)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        self.sock.sendall(self.ws.send(Request(
            host=f"{parts.hostname}:{parts.port}", target=target,
            extra_headers=[("Cookie", cookie), ("Origin", origin)])))
        self.open = False
        self.closed = False
        self.hello = False
        self.buffer: list[str] = []

    def feed(self, data: bytes, received_ns: int, sink) -> None:
        if not data:
            self.closed = True
            return
        self.ws.receive_data(data)
        for event in self.ws.events():
            if isinstance(event, AcceptConnection):
                self.open = True
            elif isinstance(event, RejectConnection):
                raise RuntimeError(f"WebSocket refused: {event.status_code}")
            elif isinstance(event, Ping):
                self.sock.sendall(self.ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                self.closed = True
            elif isinstance(event, TextMessage):
                self.buffer.append(event.data)
                if event.message_finished:
                    sink(self, json.loads("".join(self.buffer)), received_ns)
                    self.buffer.clear()

    def close(self) -> None:
        try:
            if not self.closed:
                self.sock.sendall(self.ws.send(CloseConnection(code=1000)))
        except Exception:
            pass
        self.sock.close()


class Readers:
    """Read every viewer in one thread; record latency of lines stamped after `since_ns`."""

    def __init__(self):
        self.selector = selectors.DefaultSelector()
        self.viewers: list[Viewer] = []
        self.latencies_ms: list[float] = []
        self.delivered = 0
        self.skipped = 0
        self.since_ns = None  # only lines the emulator wrote from here...
        self.until_ns = None  # ...to here count
        self.errors: list[dict] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def add(self, viewer: Viewer) -> None:
        with self._lock:
            self.viewers.append(viewer)
            self.selector.register(viewer.sock, selectors.EVENT_READ, viewer)

    def _sink(self, viewer: Viewer, message: dict, received_ns: int) -> None:
        kind = message["type"]
        if kind == "hello":
            viewer.hello = True
        elif kind == "lines":
            since, until = self.since_ns, self.until_ns
            for line in message["lines"]:
                ts = timestamp_ns(line["t"])
                if since is None or ts is None or ts < since or (until and ts >= until):
                    continue
                self.delivered += 1
                self.latencies_ms.append((received_ns - ts) / 1e6)
        elif kind == "skipped":
            self.skipped += message["count"]
        elif kind == "error":
            self.errors.append(message)

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if not self.viewers:
                    ready = []
                else:
                    ready = self.selector.select(timeout=0.05)
            if not ready:
                time.sleep(0.01)
                continue
            for key, _ in ready:
                viewer = key.data
                try:
                    data = viewer.sock.recv(262144)
                except OSError:
                    data = b""
                received = time.time_ns()
                viewer.feed(data, received, self._sink)
                if viewer.closed:
                    with self._lock:
                        try:
                            self.selector.unregister(viewer.sock)
                        except (KeyError, ValueError):
                            pass

    def reset(self, since_ns: int) -> None:
        self.latencies_ms = []
        self.delivered = 0
        self.skipped = 0
        self.since_ns = since_ns
        self.until_ns = None

    def wait_ready(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(v.hello for v in self.viewers) >= count:
                return
            if self.errors:
                raise RuntimeError(f"viewer refused: {self.errors[0]}")
            time.sleep(0.05)
        raise RuntimeError(f"only {sum(v.hello for v in self.viewers)} of {count} viewers ready")

    def close(self) -> None:
        with self._lock:
            viewers, self.viewers = self.viewers, []
            for viewer in viewers:
                try:
                    self.selector.unregister(viewer.sock)
                except (KeyError, ValueError):
                    pass
        for viewer in viewers:
            viewer.close()

    def stop(self) -> None:
        self.close()
        self._stop.set()
        self._thread.join(2)


class RawReader:
    """The floor: one paramiko channel with a pty reading `logs <app> --tail` directly."""

    def __init__(self, sshd: SSHServer, app: str):
        import paramiko

        self.latencies_ms: list[float] = []
        self.since_ns = None
        self.until_ns = None
        self.client = paramiko.SSHClient()
        self.client.load_host_keys(sshd.known_hosts)
        self.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        self.client.connect(sshd.host, port=sshd.port, username=sshd.user,
                            key_filename=sshd.key_path, allow_agent=False, look_for_keys=False)
        self.client.get_transport().sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.channel = self.client.get_transport().open_session()
        self.channel.get_pty(term="dumb", width=500, height=50)
        self.channel.exec_command(f"logs {app} --num 0 --tail")
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        from docklight.dokku.parsers import parse_log_line

        buffer = b""
        while True:
            try:
                chunk = self.channel.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            received = time.time_ns()
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            since, until = self.since_ns, self.until_ns
            for raw in lines:
                ts = timestamp_ns(parse_log_line(raw.decode("utf-8", "replace").rstrip("\r"))
                                  .timestamp)
                if since is not None and ts is not None and ts >= since and \
                        not (until and ts >= until):
                    self.latencies_ms.append((received - ts) / 1e6)

    def reset(self, since_ns: int) -> None:
        self.latencies_ms = []
        self.since_ns = since_ns

    def close(self) -> None:
        self.channel.close()
        self.client.close()


# --- helpers ---------------------------------------------------------------------------

def login(url: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    data = urllib.parse.urlencode({"password": PASSWORD}).encode()
    opener.open(urllib.request.Request(url + "/api/auth/login", data=data,
                                       headers={"Origin": url})).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def worker_pids(master: int, count: int, timeout: float = 30) -> list[int]:
    """Return the pids of the master's gunicorn workers, once all count have started."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open(f"/proc/{name}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == master:
                    found.append(int(name))
        if len(found) >= count or time.monotonic() > deadline:
            if not found:
                raise RuntimeError("no gunicorn worker")
            return sorted(found)
        time.sleep(0.1)


def rss_mib(pids: list[int]) -> float:
    """Return the workers' resident memory together."""
    total = 0.0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


def cpu_seconds(pids: list[int]) -> float:
    """Return the CPU time the workers used together."""
    total = 0.0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def docklight_tails(emulator: Emulator) -> int:
    """Count `logs --tail` runs Docklight started (the raw reader asks for --num 0)."""
    return sum(1 for argv in emulator.calls()
               if argv and argv[0] == "logs" and "--tail" in argv and "0" not in argv)


def scenario(name, live, sshd, emulator, cookie, apps, per_app, seconds, worker):
    readers = Readers()
    raw = RawReader(sshd, apps[0])
    tails_before = docklight_tails(emulator)
    rss_before = rss_mib(worker)
    ws_base = live.url.replace("http://", "ws://")
    for app in apps:
        for _ in range(per_app):
            readers.add(Viewer(f"{ws_base}/api/apps/{app}/logs/stream?lines=100", cookie,
                               live.url))
    readers.wait_ready(len(apps) * per_app)
    time.sleep(1.0)  # past the backlog, into the live tail
    start_ns = time.time_ns()
    readers.reset(start_ns)
    raw.reset(start_ns)
    started = time.monotonic()
    cpu_start = cpu_seconds(worker)
    samples = []
    while time.monotonic() - started < seconds:
        time.sleep(1.0)
        samples.append(rss_mib(worker))
    # Count lines written in the window (those in flight at its end too).
    readers.until_ns = raw.until_ns = time.time_ns()
    elapsed = (readers.until_ns - start_ns) / 1e9
    cpu = cpu_seconds(worker) - cpu_start
    time.sleep(0.5)
    lat = [v for v in readers.latencies_ms]
    delivered = readers.delivered
    raw_lat = list(raw.latencies_ms)
    tails = docklight_tails(emulator) - tails_before
    rss_during = max(samples) if samples else rss_mib(worker)
    readers.stop()
    raw.close()
    time.sleep(float(os.environ.get("DOCKLIGHT_LOG_LINGER_SECONDS", "1")) + 1.5)
    rss_after = rss_mib(worker)
    return {
        "name": name, "viewers": len(apps) * per_app, "apps": len(apps), "seconds": elapsed,
        "delivered_per_s": delivered / elapsed, "p50": percentile(lat, 50),
        "p99": percentile(lat, 99), "max": max(lat) if lat else float("nan"),
        "raw_per_s": len(raw_lat) / elapsed, "raw_p50": percentile(raw_lat, 50),
        "raw_p99": percentile(raw_lat, 99), "skipped": readers.skipped, "tails": tails,
        "rss_before": rss_before, "rss_during": rss_during, "rss_after": rss_after,
        "rss_samples": samples, "cpu": cpu / elapsed, "load": loadavg(),
        "cpu_us_per_line": cpu / max(1, delivered) * 1e6,
    }


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def report(r: dict, rate: float) -> None:
    expected = r["apps"] * rate * (r["viewers"] // r["apps"])
    print(f"\n== {r['name']}: {r['viewers']} viewers on {r['apps']} app(s), "
          f"{rate:g} lines/s per app, {r['seconds']:.1f} s")
    print(f"  delivered           {r['delivered_per_s']:10.0f} lines/s "
          f"(offered {expected:.0f}; ratio {r['delivered_per_s'] / expected:.3f})")
    print(f"  latency p50 / p99   {r['p50']:8.1f} / {r['p99']:.1f} ms   (max {r['max']:.1f} ms)")
    print(f"  raw paramiko floor  {r['raw_p50']:8.1f} / {r['raw_p99']:.1f} ms   "
          f"({r['raw_per_s']:.0f} lines/s on one channel)")
    print(f"  ratio to the floor  p50 x{r['p50'] / r['raw_p50']:.2f}, "
          f"p99 x{r['p99'] / r['raw_p99']:.2f}")
    print(f"  skipped lines       {r['skipped']}")
    print(f"  workers' CPU        {r['cpu'] * 100:.0f}% of one core, "
          f"{r['cpu_us_per_line']:.1f} us per delivered line")
    print(f"  upstream channels   {r['tails']} (apps: {r['apps']}; "
          f"per app: {r['tails'] / r['apps']:.2f})")
    print(f"  workers' RSS MiB    before {r['rss_before']:.1f} (after a warm-up), peak during "
          f"{r['rss_during']:.1f}, after close {r['rss_after']:.1f} "
          f"(growth {r['rss_after'] - r['rss_before']:+.1f}); per-second samples "
          f"{', '.join(f'{s:.0f}' for s in r['rss_samples'])}")
    verdict = "OK" if r["p99"] < TARGET_P99_MS and r["tails"] == r["apps"] else "MISSED"
    print(f"  target p99 < {TARGET_P99_MS:.0f} ms and 1 upstream per app: {verdict}")
    print(f"  load average at the end: {r['load']} ({os.cpu_count()} CPUs; a floor p99 far "
          "above a few ms means other processes competed for them)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rate", type=float, default=200, help="lines/s per app")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn workers (default: gunicorn.conf.py's, one per core, "
                             "at least 2); viewers land on any, Dokku should still see one "
                             "upstream per app")
    args = parser.parse_args()
    began = time.monotonic()
    print(f"load average at the start: {loadavg()}")

    sshd = SSHServer(REPO).start()
    data_dir = tempfile.mkdtemp(prefix="docklight-bench-logs-")
    live = None
    try:
        apps = [f"bench{i}" for i in range(10)]
        emulator = Emulator(sshd.emulator_home)
        emulator.reset(apps=[emu.make_app(a, processes={"web": 2}) for a in apps])
        emulator.settings(log_rate=args.rate)
        env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
        env.update(DOCKLIGHT_MAX_LOG_STREAMS="500", DOCKLIGHT_MAX_LOG_STREAMS_PER_SESSION="500",
                   DOCKLIGHT_LOG_LINGER_SECONDS="1", DOCKLIGHT_LOG_LEVEL="warning")
        if args.workers:
            env["WEB_CONCURRENCY"] = str(args.workers)
        os.environ["DOCKLIGHT_LOG_LINGER_SECONDS"] = "1"
        live = LiveServer(env)
        worker = worker_pids(live.proc.pid, args.workers or 2)
        print(f"gunicorn workers: {len(worker)}")
        cookie = login(live.url)
        # Warm-up: imports, SSH connections and buffers that stay for good.
        scenario("warm-up", live, sshd, emulator, cookie, apps[:2], 2, 2, worker)
        results = [
            scenario("A", live, sshd, emulator, cookie, apps[:1], 50, args.seconds, worker),
            scenario("B", live, sshd, emulator, cookie, apps, 5, args.seconds, worker),
        ]
        for r in results:
            report(r, args.rate)
        print(f"\ntotal {time.monotonic() - began:.0f} s")
        return 0
    finally:
        if live is not None:
            live.stop()
        sshd.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())

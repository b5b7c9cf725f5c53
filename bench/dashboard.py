"""Benchmark: time to the dashboard's apps fragment, next to the floor.

Not a test. Starts the test sshd (forced to the Dokku emulator) with an
emulated Dokku delay per call, and Docklight under gunicorn -k gevent, then
for 10, 50 and 200 apps prints, side by side in one run:

  floor   one raw paramiko `ps:report` (all apps) on a warm connection
  raw3    the three bulk reports the dashboard needs, raw and in parallel
  cold    GET /apps (htmx fragment) with the cache dropped (?refresh=1)
  warm    GET /apps served from the cache
  naive   one `ps:report <app>` per app on a warm connection, 6 at a time

Run: make bench   (or .venv/bin/python bench/dashboard.py [--delay-ms 200])
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

import paramiko  # noqa: E402

from docklight.emulator import seeds  # noqa: E402
from docklight.emulator import state as emu  # noqa: E402
from docklight.readshare import ScopedGeneration  # noqa: E402
from tests.conftest import PASSWORD, app_config  # noqa: E402
from tests.live import LiveServer  # noqa: E402
from tests.sshd import SSHServer  # noqa: E402

SIZES = tuple(int(s) for s in os.environ.get("SIZES", "10,50,200").split(","))
RUNS = 7
ROUNDS = 3  # each size is measured this many times; the median is printed


def raw_client(sshd) -> paramiko.SSHClient:
    """A plain paramiko client with TCP_NODELAY, as a careful script would open it."""
    client = paramiko.SSHClient()
    client.load_host_keys(sshd.known_hosts)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect("127.0.0.1", port=sshd.port, username=sshd.user,
                   key_filename=sshd.key_path, look_for_keys=False, allow_agent=False)
    client.get_transport().sock.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
    return client


def raw_run(client, command: str) -> str:
    """Run one command on its own channel and return its stdout."""
    _, stdout, stderr = client.exec_command(command)
    out = stdout.read()
    stderr.read()
    stdout.channel.recv_exit_status()
    stdout.channel.close()
    return out.decode()


def timed(fn, runs=RUNS) -> float:
    """Return the median wall time of fn() in milliseconds."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=int, default=200, help="emulated Dokku delay per call")
    args = parser.parse_args()

    sshd = SSHServer(REPO).start()
    data_dir = tempfile.mkdtemp(prefix="docklight-bench-")
    server = None
    try:
        emu.write_settings(sshd.emulator_home, delay_ms=args.delay_ms, step_delay_ms=0)
        env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
        env["DOCKLIGHT_LOG_LEVEL"] = "warning"
        env["DOCKLIGHT_CACHE_TTL"] = "3600"
        server = LiveServer(env)
        jar = CookieJar()
        http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = urllib.request.Request(
            server.url + "/api/auth/login", headers={"Origin": server.url},
            data=urllib.parse.urlencode({"password": PASSWORD}).encode())
        http.open(login).read()

        def fragment(query=""):
            req = urllib.request.Request(server.url + "/apps" + query,
                                         headers={"HX-Request": "true"})
            with http.open(req) as r:
                body = r.read()
                assert r.status == 200, r.status
            return body

        client = raw_client(sshd)
        print(f"Emulated Dokku delay: {args.delay_ms} ms per call. Each size {ROUNDS} times "
              f"(median of {RUNS} runs each); the median of the {ROUNDS}, ms.")
        print(f"{'apps':>5} {'floor':>8} {'raw3':>8} {'cold':>8} {'cold/floor':>11} "
              f"{'cold/raw3':>10} {'warm':>8} {'naive':>9} {'naive/cold':>11}")
        for n in SIZES:
            state = seeds.seed_many(n)
            emu.write_state(sshd.emulator_home, state)
            for entry in os.scandir(sshd.emulator_home):
                if entry.is_file():
                    os.chmod(entry.path, 0o666)
            names = sorted(state["apps"])
            # The host changed behind Docklight's back: drop every worker's
            # cached overview as a change made through Docklight would, or a
            # worker still holding the previous size answers the warm runs.
            ScopedGeneration(os.path.join(data_dir, "state-generations")).bump()
            fragment("?refresh=1")  # warms the SSH transport and the version cache
            for _ in range(4):  # every worker (connections land on either) has all n
                got = fragment().count(b'<tr id="app-')
                assert got == n, f"{got} rows for {n} apps"
            raw_run(client, "version")  # warm raw connection
            rounds = [measure(client, fragment, names, n) for _ in range(ROUNDS)]
            floor, parallel, cold, warm, naive_ms = (statistics.median(column)
                                                     for column in zip(*rounds))
            print(f"{n:>5} {floor:>8.1f} {parallel:>8.1f} {cold:>8.1f} {cold / floor:>10.2f}x "
                  f"{cold / parallel:>9.2f}x {warm:>8.1f} {naive_ms:>9.1f} "
                  f"{naive_ms / cold:>10.1f}x")
        client.close()
    finally:
        if server:
            server.stop()
        sshd.cleanup()


def measure(client, fragment, names, n) -> tuple[float, float, float, float, float]:
    """Return one round of (floor, raw3, cold, warm, naive) for n apps, ms."""
    floor = timed(lambda: raw_run(client, "ps:report"))

    def raw3():
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda c: raw_run(client, c),
                          ["ps:report", "domains:report", "git:report"]))

    parallel = timed(raw3)
    cold = timed(lambda: fragment("?refresh=1"))
    warm = timed(fragment)

    def naive():
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda a: raw_run(client, f"ps:report {a}"), names))

    naive_ms = timed(naive, runs=1 if n >= 50 else 3)
    return floor, parallel, cold, warm, naive_ms


if __name__ == "__main__":
    main()

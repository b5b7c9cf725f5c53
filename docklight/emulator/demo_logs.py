"""Made-up but steady app logs for the demo: several process types, colours, stable times.

The demo host has no containers to read, so its running apps log as a function
of the clock: time is cut into slots of SLOT_NS, and in each slot one of the
app's running containers prints one line, chosen (with the text and its place
in the slot) by a hash of the app and the slot number. Every ``logs`` run
therefore agrees on every line and its timestamp, as ``docker logs`` runs do
(so a viewer that resumes gets no repeats), ``--num`` has a backlog to show,
and ``--tail`` keeps printing new lines while the app runs. Nothing is
written to disk.

The text imitates what such processes print: a web server's access lines
(status coloured like many loggers do), a queue worker's jobs and a clock
process's scheduled tasks, with ANSI colours inside the messages, on top of
the per-container colour `logs` itself adds (plugins/logs, docker-local).
"""

import hashlib
import time

SLOT_NS = 600_000_000
BACKLOG_SLOTS = 20_000  # how far back --num may look (about three hours)

RESET = "\x1b[0m"
GREEN, YELLOW, RED, BLUE, GREY, MAGENTA = ("\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[34m",
                                           "\x1b[90m", "\x1b[35m")
PATHS = ("/", "/health", "/api/items", "/api/items/42", "/login", "/static/app.css",
         "/api/orders", "/dashboard", "/favicon.ico", "/api/search?q=dokku")
METHODS = ("GET", "GET", "GET", "GET", "POST", "GET", "PUT", "GET", "DELETE", "GET")
STATUSES = (200, 200, 200, 200, 200, 304, 201, 200, 404, 200, 200, 500, 302, 200, 429)
JOBS = ("SendWelcomeEmail", "ResizeImage", "SyncInventory", "ChargeInvoice", "ExportReport")
TASKS = ("cleanup:sessions", "cache:warm", "metrics:flush", "backup:verify")


def _hash(*parts) -> int:
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def running_containers(app):
    """Return the names (``web.1``) of the app's running containers."""
    if not app.get("deployed"):
        return []
    return [f"{c['proc']}.{c['index']}" for c in app.get("containers", [])
            if c.get("status") == "running"]


def status_colour(status: int) -> str:
    if status >= 500:
        return RED
    if status >= 400:
        return YELLOW
    return GREEN if status < 300 else BLUE


def message(app_name: str, proc: str, slot: int) -> str:
    """Return the text container *proc* prints in *slot*."""
    h = _hash(app_name, proc, slot, "text")
    kind = proc.split(".")[0]
    if kind == "web":
        i = h % len(PATHS)
        status = STATUSES[(h >> 8) % len(STATUSES)]
        millis = 2 + (h >> 16) % 180
        level = f"{RED}error{RESET}" if status >= 500 else f"{GREY}info{RESET}"
        return (f"{level} {METHODS[i]} {PATHS[i]} {status_colour(status)}{status}{RESET} "
                f"{millis}ms {GREY}request_id={h % 10**8:08d}{RESET}")
    if kind == "worker":
        job = JOBS[h % len(JOBS)]
        job_id = (h >> 12) % 100000
        if (h >> 28) % 9 == 0:
            return f"{YELLOW}WARN{RESET} {job}#{job_id} retrying in 30s (attempt 2 of 5)"
        return (f"{BLUE}INFO{RESET} {job}#{job_id} done in {(h >> 20) % 900 + 40}ms "
                f"{GREEN}\u2713{RESET}")
    if kind in ("clock", "cron", "scheduler"):
        return f"{MAGENTA}[scheduler]{RESET} ran {TASKS[h % len(TASKS)]} in {(h >> 8) % 90 + 5}ms"
    return f"{BLUE}INFO{RESET} {kind} heartbeat seq={slot % 100000}"


def line_at(app_name: str, containers, slot: int):
    """Return ``(ns, proc, message)`` for *slot*: which container logs, when and what."""
    h = _hash(app_name, slot, "who")
    proc = containers[h % len(containers)]
    ns = slot * SLOT_NS + (h >> 16) % SLOT_NS
    return ns, proc, message(app_name, proc, slot)


def lines_between(app_name: str, containers, after_ns: int, until_ns: int):
    """Return the lines whose time is in (after_ns, until_ns], oldest first."""
    if not containers or until_ns <= after_ns:
        return []
    first, last = after_ns // SLOT_NS, until_ns // SLOT_NS
    out = []
    for slot in range(max(first, last - BACKLOG_SLOTS), last + 1):
        entry = line_at(app_name, containers, slot)
        if after_ns < entry[0] <= until_ns:
            out.append(entry)
    return out


def backlog(app_name: str, containers, num: int, now_ns: int | None = None):
    """Return the last *num* lines of each container before now (all of them for num < 0)."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    if not containers or num == 0:
        return []
    last = now_ns // SLOT_NS
    counts, out = {}, []
    wanted = len(containers) * (num if num > 0 else BACKLOG_SLOTS)
    for slot in range(last, last - BACKLOG_SLOTS, -1):
        ns, proc, text = line_at(app_name, containers, slot)
        if ns > now_ns:
            continue
        if num < 0 or counts.get(proc, 0) < num:
            counts[proc] = counts.get(proc, 0) + 1
            out.append((ns, proc, text))
        if len(out) >= wanted:
            break
    out.reverse()
    return out

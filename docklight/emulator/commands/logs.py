"""The `logs` command: app logs from ``logs/<app>.log``, optionally followed (-t).

Each source line is plain text (from ``web.1``) or ``{"ps": "worker.1", "msg": "…"}``.
Docker keeps a timestamp with every line, so two ``docker logs`` runs show a
line with the same time; clients rely on that to resume a stream without
repeating it. The source file has no times, so the first ``logs`` run that
reads a line stamps it (:class:`Stamps`) and every later run reuses the stamp.
A followed line is stamped within one poll of being appended. In the demo
(settings ``demo_logs``) running apps also print made-up lines
(docklight/emulator/demo_logs.py) with stable times of their own.
"""

import fcntl
import hashlib
import json
import os
import time

from .. import demo_logs, report
from .. import state as store
from ..core import Flag, parse_flags
from ..report import ReportSpec, global_prop, triple

HELP = (
    ("logs <app> [-h|--help] [-t|--tail] [-n|--num num] [-q|--quiet] [-p|--ps process]", "Display recent log output"),
    ("logs:report [<app>] [<flag>]", "Displays a logs report for one or more apps"),
)
BARE = {"logs": "logs"}
COLOURS = (36, 33, 32, 35, 31)
POLL_SECONDS = 0.02
STAMPS_DIR = "log-stamps"  # in the emulator home: tests write logs/ as another user
SYNTHETIC_PATHS = ("/", "/health", "/api/items", "/login", "/static/app.css")


def rfc3339nano(ns):
    """Format unix nanoseconds like Go's time.RFC3339Nano in UTC (trailing zeros cut)."""
    seconds, frac = divmod(ns, 1_000_000_000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    return text + "Z"


def parse_line(raw):
    """Return ``(proc, message)`` for one source line."""
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
            return str(data.get("ps") or "web.1"), str(data.get("msg", ""))
        except ValueError:
            pass
    return "web.1", raw


class Printer:
    """Format log lines, assigning colours to containers in order of appearance."""

    def __init__(self, ctx, quiet, ps_filter):
        self.ctx = ctx
        self.quiet = quiet
        self.ps_filter = ps_filter
        self.colours = {}

    def wanted(self, proc):
        if not self.ps_filter:
            return True
        return proc == self.ps_filter if "." in self.ps_filter else proc.split(".")[0] == self.ps_filter

    def format(self, proc, message, ns=None):
        if self.quiet:
            return message
        colour = self.colours.setdefault(proc, COLOURS[len(self.colours) % len(COLOURS)])
        stamp = rfc3339nano(ns or time.time_ns())
        return f"\x1b[{colour}m{stamp} app[{proc}]:\x1b[0m {message}"

    def emit(self, proc, message, ns=None):
        if self.wanted(proc):
            self.ctx.out(self.format(proc, message, ns))


class Stamps:
    """Stable per-line timestamps, kept beside the log source.

    ``log-stamps/<app>`` starts with ``# <identity>`` of the source (its inode
    and a hash of its first line) and holds one ``<byte offset> <unix ns>``
    record per line; the first record for an offset wins. Writers hold an
    flock, so concurrent ``logs`` runs agree on every stamp. A replaced or
    truncated source starts a new file. When the file cannot be written, lines
    are stamped with the time they are read.
    """

    def __init__(self, home, app, source):
        self.path = os.path.join(home, STAMPS_DIR, app)
        self.source = source
        self.known = {}
        self._pos = 0
        self._identity = None

    def get(self, offsets):
        """Return the unix-ns stamp of the line at each byte offset."""
        missing = [o for o in offsets if o not in self.known]
        if missing:
            try:
                self._stamp(missing)
            except OSError:
                pass
        now = time.time_ns()
        return [self.known.get(o) or now for o in offsets]

    def _stamp(self, offsets):
        try:
            with open(self.source, "rb") as fh:
                st = os.fstat(fh.fileno())
                first = fh.readline(256)
        except FileNotFoundError:
            return
        identity = f"{st.st_ino}-{hashlib.sha1(first).hexdigest()[:12]}"
        os.makedirs(os.path.dirname(self.path), mode=0o777, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
        try:
            try:
                os.fchmod(fd, 0o666)
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._load(fd)
            header = f"# {identity}"
            if self._identity != identity or (self.known and max(self.known) >= st.st_size):
                os.ftruncate(fd, 0)
                os.write(fd, (header + "\n").encode())
                self.known, self._identity = {}, identity
                self._pos = len(header) + 1
            now = time.time_ns()
            records = []
            for i, offset in enumerate(sorted(set(offsets) - set(self.known))):
                self.known[offset] = now + i  # distinct and in file order
                records.append(f"{offset} {now + i}\n")
            if records:
                data = "".join(records).encode()
                os.write(fd, data)
                self._pos += len(data)
        finally:
            os.close(fd)

    def _load(self, fd):
        """Read records other runs appended since our last look."""
        size = os.fstat(fd).st_size
        if size < self._pos:
            self.known, self._pos, self._identity = {}, 0, None
        if size == self._pos:
            return
        data = os.pread(fd, size - self._pos, self._pos)
        complete = data[:data.rfind(b"\n") + 1]
        self._pos += len(complete)
        for raw in complete.decode("ascii", "replace").splitlines():
            if raw.startswith("# "):
                self._identity = raw[2:].strip()
                continue
            offset, _, ns = raw.partition(" ")
            if offset.isdigit() and ns.isdigit():
                self.known.setdefault(int(offset), int(ns))


def read_from(path, offset):
    """Return ``(data, new_offset)`` of *path* from *offset* (restarting if truncated)."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < offset:
                offset = 0
            fh.seek(offset)
            data = fh.read()
            return data, offset + len(data)
    except FileNotFoundError:
        return b"", 0


def split_lines(data, base):
    """Return ``([(offset, raw line)], rest)`` for the complete lines of *data* read at *base*."""
    lines, pos = [], 0
    while True:
        end = data.find(b"\n", pos)
        if end < 0:
            return lines, data[pos:]
        lines.append((base + pos, data[pos:end].decode("utf-8", "surrogateescape")))
        pos = end + 1


def last_per_container(entries, num):
    """Keep the last *num* lines of each container, in file order."""
    if num < 0:
        return entries
    counts, keep = {}, []
    for entry in reversed(entries):
        proc = entry[1]
        if counts.get(proc, 0) < num:
            counts[proc] = counts.get(proc, 0) + 1
            keep.append(entry)
    return list(reversed(keep))


def cmd_logs(ctx, args):
    """Print recent logs, and with -t keep following them until killed.

    Follows plugins/logs/subcommands.go CommandDefault and
    plugins/scheduler-docker-local/scheduler-logs (``docker logs -t --tail N``
    per container, prefixed ``app[<dyno>]:`` in the container's colour).
    """
    values, pos = parse_flags(ctx, "logs", args, [
        Flag("num", "int", "n", 100, "the number of lines to display"),
        Flag("ps", "string", "p", usage="only display logs from the given process"),
        Flag("tail", "bool", "t", usage="continually stream logs"),
        Flag("quiet", "bool", "q", usage="display raw logs without colors, time and names")])
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    if not app["deployed"]:
        ctx.fail(f"App {name} has not been deployed")
    path = os.path.join(ctx.home, "logs", f"{name}.log")
    printer = Printer(ctx, values["quiet"], values["ps"])
    stamps = Stamps(ctx.home, name, path)
    data, offset = read_from(path, 0)
    lines, partial = split_lines(data, 0)
    entries = [(pos, *parse_line(raw)) for pos, raw in lines]
    entries = last_per_container([e for e in entries if printer.wanted(e[1])], values["num"])
    timed = [(ns, proc, message) for ns, (_, proc, message)
             in zip(stamps.get([e[0] for e in entries]), entries)]
    demo_from = time.time_ns()
    if ctx.settings.get("demo_logs"):
        made_up = demo_logs.backlog(name, demo_logs.running_containers(app), values["num"],
                                    demo_from)
        timed = last_per_container(sorted(timed + [e for e in made_up if printer.wanted(e[1])]),
                                   values["num"])
    for ns, proc, message in timed:
        printer.emit(proc, message, ns)
    if values["tail"]:
        follow(ctx, app, path, offset - len(partial), printer, stamps, demo_from)
    return 0


def follow(ctx, app, path, offset, printer, stamps, demo_from):
    """Poll the log file and emit synthetic traffic until a signal ends us.

    In the demo the app's made-up lines after *demo_from* follow too, from
    the containers running at the time (the state is read again every second).
    """
    rate = float(ctx.settings.get("log_rate") or 0)
    demo = bool(ctx.settings.get("demo_logs"))
    containers = demo_logs.running_containers(app)
    next_state_read = time.monotonic() + 1.0
    webs = [f"web.{c['index']}" for c in app["containers"] if c["proc"] == "web"] or ["web.1"]
    interval = 1.0 / rate if rate > 0 else None
    next_synthetic = time.monotonic() + (interval or 0)
    counter = 0
    buffer, base = b"", offset
    while True:
        data, new_offset = read_from(path, offset)
        if new_offset < offset or (not data and new_offset == 0 and offset):
            buffer, base = b"", 0  # the source was truncated: start over
        offset = new_offset
        buffer += data
        lines, buffer = split_lines(buffer, base)
        base = offset - len(buffer)
        wanted = [(pos, *parse_line(raw)) for pos, raw in lines]
        wanted = [e for e in wanted if printer.wanted(e[1])]
        for ns, (_, proc, message) in zip(stamps.get([e[0] for e in wanted]), wanted):
            printer.emit(proc, message, ns)
        if demo:
            if time.monotonic() >= next_state_read:
                current = store.read_state(ctx.home)["apps"].get(app["name"])
                containers = demo_logs.running_containers(current or {})
                next_state_read = time.monotonic() + 1.0
            now = time.time_ns()
            for ns, proc, message in demo_logs.lines_between(app["name"], containers,
                                                             demo_from, now):
                printer.emit(proc, message, ns)
            demo_from = now
        while interval and time.monotonic() >= next_synthetic:
            counter += 1
            path_part = SYNTHETIC_PATHS[counter % len(SYNTHETIC_PATHS)]
            printer.emit(webs[counter % len(webs)], f"GET {path_part} 200 {counter}")
            next_synthetic += interval
        time.sleep(POLL_SECONDS)


def report_flags(ctx, st, name, app, info):
    """Return the logs:report values."""
    props = app.get("logs", {})
    flags = triple("logs", "max-size", props.get("max-size", ""), global_prop(st, "logs", "max-size", "10m"), "10m")
    flags["--logs-vector-sink"] = props.get("vector-sink", "")
    flags["--logs-global-vector-sink"] = global_prop(st, "logs", "vector-sink")
    return flags


SPEC = ReportSpec("logs", "logs", report_flags, legacy=True)


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


COMMANDS = {"logs": cmd_logs, "logs:report": cmd_report}

"""The `logs` command: app logs from ``logs/<app>.log``, optionally followed (-t).

Each source line is plain text (from ``web.1``) or ``{"ps": "worker.1", "msg": "…"}``.
Lines are timestamped when read, like ``docker logs --timestamps`` would show them.
"""

import json
import os
import time

from .. import report
from ..core import Flag, parse_flags
from ..report import ReportSpec, global_prop, triple

HELP = (
    ("logs <app> [-h|--help] [-t|--tail] [-n|--num num] [-q|--quiet] [-p|--ps process]", "Display recent log output"),
    ("logs:report [<app>] [<flag>]", "Displays a logs report for one or more apps"),
)
BARE = {"logs": "logs"}
COLOURS = (36, 33, 32, 35, 31)
POLL_SECONDS = 0.02
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

    def format(self, proc, message):
        if self.quiet:
            return message
        colour = self.colours.setdefault(proc, COLOURS[len(self.colours) % len(COLOURS)])
        stamp = rfc3339nano(time.time_ns())
        return f"\x1b[{colour}m{stamp} app[{proc}]:\x1b[0m {message}"

    def emit(self, proc, message):
        if self.wanted(proc):
            self.ctx.out(self.format(proc, message))


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


def last_per_container(entries, num):
    """Keep the last *num* lines of each container, in file order."""
    if num < 0:
        return entries
    counts, keep = {}, []
    for proc, message in reversed(entries):
        if counts.get(proc, 0) < num:
            counts[proc] = counts.get(proc, 0) + 1
            keep.append((proc, message))
    return list(reversed(keep))


def cmd_logs(ctx, args):
    """Print recent logs, and with -t keep following them until killed."""
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
    data, offset = read_from(path, 0)
    complete, _, partial = data.rpartition(b"\n")
    entries = [parse_line(raw.decode("utf-8", "surrogateescape"))
               for raw in complete.split(b"\n")] if complete or data.endswith(b"\n") else []
    entries = [e for e in entries if printer.wanted(e[0])]
    for proc, message in last_per_container(entries, values["num"]):
        printer.emit(proc, message)
    if values["tail"]:
        follow(ctx, app, path, offset - len(partial), printer)
    return 0


def follow(ctx, app, path, offset, printer):
    """Poll the log file and emit synthetic traffic until a signal ends us."""
    rate = float(ctx.settings.get("log_rate") or 0)
    webs = [f"web.{c['index']}" for c in app["containers"] if c["proc"] == "web"] or ["web.1"]
    interval = 1.0 / rate if rate > 0 else None
    next_synthetic = time.monotonic() + (interval or 0)
    counter = 0
    buffer = b""
    while True:
        data, offset = read_from(path, offset)
        buffer += data
        while b"\n" in buffer:
            raw, buffer = buffer.split(b"\n", 1)
            printer.emit(*parse_line(raw.decode("utf-8", "surrogateescape")))
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

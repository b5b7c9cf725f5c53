"""storage:* commands (Go plugin `storage`)."""

import os
import re

from .. import report
from ..core import INFO1, VERBOSE, Flag, go_json, parse_flags
from ..report import ReportSpec

HELP = (
    ("storage:list <app> [--format text|json]", "List bind mounts for app's container(s) (host:container)"),
    ("storage:mount <app> <host-dir:container-dir>", "Create a new bind mount"),
    ("storage:report [<app>] [<flag>]", "Displays a storage report for one or more apps"),
    ("storage:unmount <app> <host-dir:container-dir>", "Remove an existing bind mount"),
)

VOLUME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")
BAD_MOUNT = "Storage path must be two valid paths divided by colon."


def mount_spec(entry):
    """Return ``host:container[:ro][:opts]`` for an entry."""
    spec = f"{entry['host_path']}:{entry['container_path']}"
    if entry.get("readonly"):
        spec += ":ro"
    if entry.get("volume_options"):
        spec += ":" + entry["volume_options"]
    return spec


def report_flags(ctx, st, name, app, info):
    flags = {}
    for phase in ("build", "deploy", "run"):
        flags[f"--storage-{phase}-mounts"] = " ".join(
            f"-v {mount_spec(e)}" for e in app["storage"] if phase in e.get("phases", ["deploy", "run"]))
    for n, entry in enumerate(app["storage"], start=1):
        prefix = f"--storage-attachment.{n}."
        flags[prefix + "container-path"] = entry["container_path"]
        flags[prefix + "entry-name"] = entry["entry_name"]
        flags[prefix + "host-path"] = entry["host_path"]
        flags[prefix + "phases"] = ",".join(entry.get("phases", ["deploy", "run"]))
        flags[prefix + "readonly"] = "true" if entry.get("readonly") else "false"
    return flags


SPEC = ReportSpec("storage", "storage", report_flags, legacy=True, json_since=(0, 23, 1))


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


def cmd_list(ctx, args):
    flags = [Flag("format", "string", default="text", usage="output format: text or json")]
    values, pos = parse_flags(ctx, "storage:list", args, flags if ctx.version >= (0, 29, 3) else [])
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    fmt = values.get("format", "text")
    if fmt == "json":
        items = []
        for e in app["storage"]:
            item = {"entry_name": e["entry_name"], "host_path": e["host_path"], "container_path": e["container_path"]}
            if e.get("readonly"):
                item["readonly"] = True
            if e.get("volume_options"):
                item["volume_options"] = e["volume_options"]
            items.append(item)
        ctx.out(go_json(items))
        return 0
    if fmt != "text":
        ctx.fail("Invalid --format value specified")
    binds = [mount_spec(e) for e in app["storage"] if e["host_path"].startswith("/")]
    if ctx.quiet:
        ctx.lines(binds)
    else:
        ctx.lines([f"{INFO1}{name} volume bind-mounts:"] + [VERBOSE + b for b in binds])
    return 0


def parse_mount(ctx, spec):
    """Split ``host:container[:options]`` and validate it."""
    parts = spec.split(":")
    if len(parts) < 2 or not parts[1].startswith("/"):
        ctx.fail(BAD_MOUNT)
    host, container, options = parts[0], parts[1], ":".join(parts[2:])
    if not (host.startswith("/") or VOLUME_RE.fullmatch(host)):
        ctx.fail(BAD_MOUNT)
    return host, container, options


def cmd_mount(ctx, args):
    _, pos = parse_flags(ctx, "storage:mount", args)
    name, spec = (pos + ["", ""])[:2]
    ctx.verify_app(name)
    host, container, options = parse_mount(ctx, spec)
    with ctx.transaction() as st:
        app = st["apps"][name]
        if any(e["host_path"] == host and e["container_path"] == container for e in app["storage"]):
            ctx.fail("Mount path already exists.")
        app["storage"].append({
            "entry_name": os.path.basename(host.rstrip("/")) or host, "host_path": host,
            "container_path": container, "phases": ["deploy", "run"],
            "readonly": options == "ro", "volume_options": "" if options in ("", "ro") else options})
    return 0


def cmd_unmount(ctx, args):
    _, pos = parse_flags(ctx, "storage:unmount", args)
    name, spec = (pos + ["", ""])[:2]
    ctx.verify_app(name)
    host, container, _ = parse_mount(ctx, spec)
    with ctx.transaction() as st:
        app = st["apps"][name]
        kept = [e for e in app["storage"] if not (e["host_path"] == host and e["container_path"] == container)]
        if len(kept) == len(app["storage"]):
            ctx.fail("Mount path does not exist.")
        app["storage"] = kept
    return 0


COMMANDS = {
    "storage:report": cmd_report,
    "storage:list": cmd_list,
    "storage:mount": cmd_mount,
    "storage:unmount": cmd_unmount,
}

"""storage:* commands (Go plugin plugins/storage of Dokku 0.38: subcommands.go, storage.go,
entry.go, attachment.go, report.go, commands_entries.go).

Since 0.38 every mount is an *attachment* of a storage *entry* to a
container path. `storage:mount app host:container` synthesizes an entry
named `legacy-<sha1(host)[:10]>` (entry.go LegacyMountToEntry); named
entries come from `storage:create` and are mounted and unmounted by name
with `--container-dir`. A colon-form `storage:unmount` of a named entry's
paths derives the legacy name, finds nothing and fails "Mount path does
not exist." (subcommands.go unmountLegacyColon).

State: ``state["storage_entries"]`` holds the registry (name -> entry) and
each app's ``storage`` list holds its attachments, each with the entry's
host path copied in (``host_path``) for the readers that need it.
"""

import hashlib
import re

from .. import report
from ..core import INFO1, VERBOSE, Flag, go_json, parse_flags
from ..report import ReportSpec

HELP = (
    ("storage:create <name> [<path>] [flags]", "Register a named storage entry"),
    ("storage:list <app> [--format text|json]", "List bind mounts for app's container(s) (host:container)"),
    ("storage:mount <app> <host-dir:container-dir>", "Create a new bind mount"),
    ("storage:report [<app>] [<flag>]", "Displays a storage report for one or more apps"),
    ("storage:unmount <app> <host-dir:container-dir>", "Remove an existing bind mount"),
)

STORAGE_ROOT = "/var/lib/dokku/data/storage"
LEGACY_PREFIX = "legacy-"
DEFAULT_PROCESS_TYPE = "_default_"
PHASES = ("deploy", "run")
BAD_MOUNT = "Storage path must be two valid paths divided by colon."
BAD_VOLUME = ("Volume name must be two characters or more. Volume name must not contain invalid "
              "characters. Storage path must be two valid paths divided by colon.")
DNS1123_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
MAX_ENTRY_NAME = 45


# ------------------------------------------------------------------ entries


def legacy_entry_name(host):
    """Return entry.go LegacyMountToEntry's name for a host path or volume token."""
    key = host if host.startswith("/") else "vol:" + host
    return LEGACY_PREFIX + hashlib.sha1(key.encode()).hexdigest()[:10]


def registry(st):
    """Return the storage entry registry (entry.go ListEntries' folder)."""
    return st.setdefault("storage_entries", {})


def find_entry(st, name):
    """Return a registered entry, or one known from an attachment (older emulator states)."""
    entry = registry(st).get(name)
    if entry is not None:
        return entry
    for app in st["apps"].values():
        for att in app["storage"]:
            if att["entry_name"] == name:
                return {"name": name, "scheduler": "docker-local", "host_path": att["host_path"]}
    return None


def validate_entry_name(ctx, name):
    """entry.go ValidateEntryName (user-created names: no legacy- prefix)."""
    if name == "":
        ctx.fail("storage entry name is required")
    if len(name) > MAX_ENTRY_NAME:
        ctx.fail(f'storage entry name "{name}" is too long (max {MAX_ENTRY_NAME} characters); '
                 "helm release names cap our budget")
    if not DNS1123_RE.match(name):
        ctx.fail(f'storage entry name "{name}" must be a DNS-1123 label (lowercase letters, '
                 "digits, and dashes; cannot start or end with a dash)")
    if name.startswith(LEGACY_PREFIX):
        ctx.fail(f'storage entry name "{name}" must not start with reserved prefix "{LEGACY_PREFIX}"')


def cmd_create(ctx, args):
    """storage:create, docker-local only (commands_entries.go CommandCreate).

    The host path defaults to $DOKKU_LIB_ROOT/data/storage/<name>; creating
    an existing entry leaves it in place.
    """
    flags = [Flag("scheduler", "string", default="docker-local"), Flag("chown", "string"),
             Flag("mode", "string")]
    values, pos = parse_flags(ctx, "storage:create", args, flags)
    name = pos[0] if pos else ""
    validate_entry_name(ctx, name)
    if values["scheduler"] != "docker-local":
        ctx.fail(f'storage entry "{name}" has unsupported scheduler "{values["scheduler"]}" '
                 "(supported: docker-local, k3s)")
    host = pos[1] if len(pos) > 1 else f"{STORAGE_ROOT}/{name}"
    with ctx.transaction() as st:
        if name in registry(st):
            ctx.info1(f"Storage entry {name} already exists, leaving in place", quiet=True)
        registry(st)[name] = {"name": name, "scheduler": "docker-local", "host_path": host}
    ctx.info1(f"Storage entry {name} created")
    return 0


# ------------------------------------------------------------------ reading


def options_of(att):
    """storage.go formatStorageListEntry's option token: ro, <opts> or ro,<opts>."""
    parts = (["ro"] if att.get("readonly") else []) + \
        ([att["volume_options"]] if att.get("volume_options") else [])
    return ",".join(parts)


def mount_spec(att):
    """Return ``host:container[:options]`` (formatStorageListEntry)."""
    spec = f"{att['host_path']}:{att['container_path']}"
    options = options_of(att)
    return f"{spec}:{options}" if options else spec


def for_phase(app, phase):
    """attachment.go AttachmentsForPhase: the phase's attachments by entry, then container path."""
    rows = [a for a in app["storage"] if phase in a.get("phases", PHASES)]
    return sorted(rows, key=lambda a: (a["entry_name"], a["container_path"]))


def report_flags(ctx, st, name, app, info):
    """report.go ReportSingleApp: the -v lists per phase plus nine keys per attachment."""
    flags = {}
    for phase in ("build", "deploy", "run"):
        flags[f"--storage-{phase}-mounts"] = " ".join(f"-v {mount_spec(a)}" for a in for_phase(app, phase))
    for n, att in enumerate(app["storage"], start=1):
        prefix = f"--storage-attachment.{n}."
        flags[prefix + "entry-name"] = att["entry_name"]
        flags[prefix + "host-path"] = att["host_path"]
        flags[prefix + "container-path"] = att["container_path"]
        flags[prefix + "phases"] = ",".join(att.get("phases", PHASES))
        flags[prefix + "process-type"] = att.get("process_type") or DEFAULT_PROCESS_TYPE
        flags[prefix + "subpath"] = att.get("subpath", "")
        flags[prefix + "readonly"] = "true" if att.get("readonly") else "false"
        flags[prefix + "volume-options"] = att.get("volume_options", "")
        flags[prefix + "volume-chown"] = att.get("volume_chown", "")
    return flags


SPEC = ReportSpec("storage", "storage", report_flags, legacy=True, json_since=(0, 23, 1))


def cmd_report(ctx, args):
    """storage:report (subcommands.go CommandReport, report.go ReportSingleApp)."""
    return report.run(ctx, SPEC, args)


def cmd_list(ctx, args):
    """storage:list (subcommands.go CommandList over storage.go ListAppMountEntries, deploy phase)."""
    flags = [Flag("format", "string", default="text", usage="--format: output format (text, json)")]
    values, pos = parse_flags(ctx, "storage:list", args, flags if ctx.version >= (0, 29, 3) else [])
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    fmt = values.get("format", "text")
    if fmt not in ("text", "json"):
        ctx.fail("Invalid --format value specified")
    rows = for_phase(app, "deploy")
    if fmt == "json":
        items = []
        for att in rows:
            item = {"entry_name": att["entry_name"], "host_path": att["host_path"],
                    "container_path": att["container_path"]}
            if att.get("readonly"):
                item["readonly"] = True
            if att.get("volume_options"):
                item["volume_options"] = att["volume_options"]
            items.append(item)
        ctx.out(go_json(items))
        return 0
    if ctx.quiet:
        ctx.lines([mount_spec(a) for a in rows])
    else:
        ctx.lines([f"{INFO1}{name} volume bind-mounts:"] + [VERBOSE + mount_spec(a) for a in rows])
    return 0


# ------------------------------------------------------------------ writing


def verify_paths(ctx, spec):
    """storage.go VerifyPaths."""
    if spec.startswith("/"):
        if not re.match(r"^/.*:/", spec):
            ctx.fail(BAD_MOUNT)
    elif not re.match(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+:/", spec):
        ctx.fail(BAD_VOLUME)


def parse_mount_path(spec):
    """storage.go ParseMountPath: host, container, readonly, other options."""
    parts = spec.split(":", 2)
    host = parts[0]
    container = parts[1] if len(parts) > 1 else ""
    readonly, rest = False, []
    if len(parts) > 2 and parts[2]:
        for token in parts[2].split(","):
            if token == "ro":
                readonly = True
            else:
                rest.append(token)
    return host, container, readonly, ",".join(rest)


def take_phases(args):
    """Pull pflag StringSlice --phase values (repeatable, comma-separated) out of args."""
    phases, rest, i = [], [], 0
    while i < len(args):
        arg = args[i]
        if arg == "--phase" and i + 1 < len(args):
            phases += args[i + 1].split(",")
            i += 2
            continue
        if arg.startswith("--phase="):
            phases += arg[len("--phase="):].split(",")
        else:
            rest.append(arg)
        i += 1
    return phases, rest


MOUNT_FLAGS = [Flag("container-dir", "string"), Flag("process-type", "string"),
               Flag("volume-subpath", "string"), Flag("volume-readonly"),
               Flag("volume-chown", "string"), Flag("volume-options", "string")]


def cmd_mount(ctx, args):
    """storage:mount (subcommands.go CommandMount: mountLegacyColon, or UpsertAttachment by name)."""
    phases, args = take_phases(args)
    values, pos = parse_flags(ctx, "storage:mount", args, MOUNT_FLAGS)
    name, target = (pos + ["", ""])[:2]
    ctx.verify_app(name)
    if ":" in target:
        return _mount_legacy(ctx, name, target)
    with ctx.transaction() as st:
        entry = find_entry(st, target)
        if entry is None:
            ctx.fail(f'storage entry "{target}" does not exist; create it first with `dokku storage:create`')
        container = values["container-dir"]
        if container == "":
            ctx.fail("--container-dir is required when mounting a named storage entry")
        phases = phases or list(PHASES)
        _validate_attachment(ctx, container, phases)
        fields = {"phases": phases, "subpath": values["volume-subpath"],
                  "readonly": values["volume-readonly"], "volume_options": values["volume-options"],
                  "volume_chown": values["volume-chown"]}
        proc = values["process-type"] or DEFAULT_PROCESS_TYPE
        app = st["apps"][name]
        existing = [a for a in app["storage"] if a["entry_name"] == target
                    and a["container_path"] == container
                    and (a.get("process_type") or DEFAULT_PROCESS_TYPE) == proc]
        if existing:
            existing[0].update(fields)
        else:
            app["storage"].append({"entry_name": target, "host_path": entry["host_path"] or target,
                                   "container_path": container, "process_type": proc, **fields})
    updated = " updated" if existing else ""
    verb = "mount" if existing else "mounted"
    ctx.info1(f"Storage entry {target} {verb} at {container} on {name}{updated}")
    return 0


def _validate_attachment(ctx, container, phases):
    """attachment.go Attachment.Validate."""
    if not container.startswith("/"):
        ctx.fail(f'attachment container path "{container}" must be absolute')
    for phase in phases:
        if phase not in PHASES:
            ctx.fail(f'attachment phase "{phase}" is not supported (must be "deploy" or "run")')


def _mount_legacy(ctx, name, spec):
    """subcommands.go mountLegacyColon: a legacy-<hash> entry plus an attachment."""
    verify_paths(ctx, spec)
    host, container, readonly, options = parse_mount_path(spec)
    if container == "":
        ctx.fail(BAD_MOUNT)
    entry_name = legacy_entry_name(host)
    with ctx.transaction() as st:
        registry(st).setdefault(entry_name, {"name": entry_name, "scheduler": "docker-local",
                                             "host_path": host})
        app = st["apps"][name]
        if any(a["entry_name"] == entry_name and a["container_path"] == container
               and (a.get("process_type") or DEFAULT_PROCESS_TYPE) == DEFAULT_PROCESS_TYPE
               for a in app["storage"]):
            ctx.fail("Mount path already exists.")
        app["storage"].append({"entry_name": entry_name, "host_path": host, "container_path": container,
                               "phases": list(PHASES), "process_type": DEFAULT_PROCESS_TYPE,
                               "readonly": readonly, "volume_options": options})
    return 0


def cmd_unmount(ctx, args):
    """storage:unmount (subcommands.go CommandUnmount: unmountLegacyColon, or RemoveAttachment by name)."""
    values, pos = parse_flags(ctx, "storage:unmount", args, [Flag("container-dir", "string")])
    name, target = (pos + ["", ""])[:2]
    ctx.verify_app(name)
    if ":" in target:
        verify_paths(ctx, target)
        host, container, _, _ = parse_mount_path(target)
        if container == "":
            ctx.fail(BAD_MOUNT)
        message = _remove_attachment(ctx, name, legacy_entry_name(host), container)
        if message:
            ctx.fail("Mount path does not exist." if "is not mounted" in message else message)
        return 0
    message = _remove_attachment(ctx, name, target, values["container-dir"])
    if message:
        ctx.fail(message)
    return 0


def _remove_attachment(ctx, name, entry_name, container):
    """attachment.go RemoveAttachment; return its error message, or "" once removed."""
    with ctx.transaction() as st:
        app = st["apps"][name]
        matches = [a for a in app["storage"] if a["entry_name"] == entry_name
                   and (container == "" or a["container_path"] == container)]
        if not matches:
            if container == "":
                return f'storage entry "{entry_name}" is not mounted on app "{name}"'
            return f'storage entry "{entry_name}" is not mounted at "{container}" on app "{name}"'
        if len(matches) > 1 and container == "":
            paths = ", ".join(sorted(a["container_path"] for a in matches))
            return (f'storage entry "{entry_name}" is mounted at multiple paths on app "{name}" '
                    f"({paths}); pass --container-dir to disambiguate")
        app["storage"] = [a for a in app["storage"] if not any(a is m for m in matches)]
    return ""


COMMANDS = {
    "storage:create": cmd_create,
    "storage:report": cmd_report,
    "storage:list": cmd_list,
    "storage:mount": cmd_mount,
    "storage:unmount": cmd_unmount,
}

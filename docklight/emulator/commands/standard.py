"""`report` and `cleanup`: the core commands of plugins/00_dokku-standard.

Both are bash subcommands (plugins/00_dokku-standard/subcommands/report and
.../cleanup). The host facts `report` prints come from tools the emulator does
not have (free, df, docker); they are modelled in settings.json's ``host`` map
so a test can describe a full disk or a small machine.
"""

from ..core import INFO1
from . import plugin as plugin_commands

BARE = {"report": "report", "cleanup": "cleanup"}
HELP = ()
INDENT = " " * 7  # the subcommand's `sed "s/^/       /"`

HOST_DEFAULTS = {
    "uname": "Linux dokku 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64 GNU/Linux",
    # free -m columns: total used free shared buff/cache available (MiB)
    "memory": [3915, 1210, 312, 12, 2392, 2410],
    "swap": [1023, 0, 1023],
    # df -h rows: filesystem, size, used, avail, use%, mounted on
    "disks": [["/dev/vda1", "78G", "31G", "44G", "42%", "/"],
              ["/dev/vda15", "124M", "12M", "113M", "10%", "/boot/efi"]],
    "docker_version": "28.2.2",
    "docker_root": "/var/lib/docker",
    "cpus": 2,
    "herokuish": "0.10.4",
}


def host_facts(ctx):
    """Return the modelled host: settings.json ``host`` over HOST_DEFAULTS."""
    return {**HOST_DEFAULTS, **(ctx.settings.get("host") or {})}


def _indented(lines):
    return [INDENT + line for line in lines]


def _free(host):
    mem, swap = host["memory"], host["swap"]
    return ["               total        used        free      shared  buff/cache   available",
            "Mem:    " + "".join(f"{v:>12}" for v in mem),
            "Swap:   " + "".join(f"{v:>12}" for v in swap)]


def _df(host, inodes=False):
    head = "Filesystem      Inodes IUsed IFree IUse% Mounted on" if inodes else \
        "Filesystem      Size  Used Avail Use% Mounted on"
    return [head] + ["%-15s %5s %5s %5s %4s %s" % tuple(row) for row in host["disks"]]


def _docker_info(ctx, host):
    apps = ctx.state["apps"].values()
    containers = [c for a in apps for c in a.get("containers", [])]
    running = sum(1 for c in containers if c["status"] == "running")
    return ["Client: Docker Engine - Community", f" Version:    {host['docker_version']}",
            "", "Server:", f" Containers: {len(containers)}", f"  Running: {running}",
            "  Paused: 0", f"  Stopped: {len(containers) - running}",
            f" Images: {len(ctx.state['apps']) * 2}", f" Server Version: {host['docker_version']}",
            " Storage Driver: overlay2", f" Docker Root Dir: {host['docker_root']}",
            f" CPUs: {host['cpus']}", f" Total Memory: {host['memory'][0] / 1024:.3f}GiB"]


def cmd_report(ctx, args):
    """`dokku report [<app>|--all]` (00_dokku-standard/subcommands/report cmd-report).

    Prints the host vitals, then runs every plugin's report for one app or
    for all. ``--format`` is refused for the global report, as the source does.
    """
    app = args[0] if args else ""
    if app == "--format":
        ctx.fail("--format flag not supported on global report")
    host = host_facts(ctx)
    out = [f"{INFO1}uname: {host['uname']}", f"{INFO1}memory: "] + _indented(_free(host))
    out += [f"{INFO1}disk utilization: "] + _indented(_df(host))
    out += [f"{INFO1}disk inode utilization: "] + _indented(_df(host, inodes=True))
    out += [f"{INFO1}docker version: "] + _indented(
        ["Client: Docker Engine - Community", f" Version:           {host['docker_version']}"])
    out += [f"{INFO1}docker daemon info: "] + _indented(_docker_info(ctx, host))
    out += [f"{INFO1}herokuish version: "] + _indented([f"herokuish: {host['herokuish']}"])
    out += [f"{INFO1}dokku version: dokku version {ctx.version_text}"]
    ctx.lines(out)
    ctx.warn("dokku-event-listener binary is not available")
    ctx.lines([f"{INFO1}plugn version: 0.16.0", f"{INFO1}dokku plugins: "])
    plugins = sorted(ctx.state["plugins"], key=lambda p: p["name"])
    ctx.lines(_indented(["  %-20s %-5s %-10s %s" % (
        p["name"], ctx.plugin_version_of(p), "enabled" if p["enabled"] else "disabled",
        plugin_commands.record_field(ctx, p, "description")) for p in plugins]))
    if app == "--all":
        names = sorted(ctx.state["apps"])
    elif app:
        names = [ctx.verify_app(app)["name"]]
    else:
        names = []
    for name in names:
        _app_reports(ctx, name)
    return 0


def _app_reports(ctx, name):
    """`plugn trigger report APP`: each installed plugin's report of the app."""
    from ..cli import find_module

    for plugin in ("apps", "builder", "checks", "docker-options", "domains", "git", "network",
                   "ports", "proxy", "ps", "resource", "storage"):
        module = find_module(ctx, plugin)
        handler = module.COMMANDS.get(f"{plugin}:report") if module else None
        if handler:
            handler(ctx, [name])


def _skip_cleanup(ctx, app):
    """The builder skip-cleanup property, app first, then global (common/docker.go DockerCleanup)."""
    props = ctx.state["global"].get("props", {}).get("builder", {})
    if app and ctx.state["apps"].get(app, {}).get("builder", {}).get("skip_cleanup") == "true":
        return True
    return props.get("skip-cleanup") == "true"


def cmd_cleanup(ctx, args):
    """`dokku cleanup [<app>]` (00_dokku-standard/subcommands/cleanup; common/docker.go DockerCleanup).

    cmd-cleanup passes "true" as FORCE_CLEANUP, but docker_cleanup
    (common/functions) never hands it on to `common docker-cleanup`, so the
    builder's skip-cleanup property is honoured all the same. The app name is
    not verified: an unknown app simply matches no containers. Exited and
    dead containers are removed, stopped apps' containers included.
    """
    app = args[0] if args else ""
    if _skip_cleanup(ctx, app):
        ctx.out(f"{INFO1}DOKKU_SKIP_CLEANUP set. Skipping dokku cleanup")
        return 0
    ctx.out(f"{INFO1}Cleaning up...")
    with ctx.transaction() as st:
        for record in st["apps"].values():
            if app and record["name"] != app:
                continue
            record["containers"] = [c for c in record.get("containers", [])
                                    if c["status"] not in ("exited", "dead")]
    return 0


def own_help(ctx, topic):
    """`cleanup:help` (00_dokku-standard/help-functions cmd-standard-help): its one help line."""
    if topic == "cleanup":
        ctx.out("    cleanup [<app>]  Cleans up exited/dead Docker containers and removes dangling images")
    return 0


COMMANDS = {"report": cmd_report, "cleanup": cmd_cleanup}

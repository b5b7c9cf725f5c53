"""Official datastore plugins (postgres, mysql, mariadb, mongo, redis, …): one template.

Modelled on dokku/dokku-postgres ``common-functions``/``subcommands``: bash plugins,
so arguments are read positionally and missing services fail with exit 1.
"""

import re

from .. import state as store
from ..core import INFO2, VERBOSE
from . import config as config_cmds

NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
COLOURS = ("AQUA", "BLACK", "BLUE", "FUCHSIA", "GRAY", "GREEN", "LIME", "MAROON", "NAVY",
           "OLIVE", "PURPLE", "RED", "SILVER", "TEAL", "WHITE", "YELLOW")
INFO_FIELDS = (
    ("--config-dir", "Config dir"), ("--config-options", "Config options"), ("--data-dir", "Data dir"),
    ("--dsn", "Dsn"), ("--exposed-ports", "Exposed ports"), ("--id", "Id"),
    ("--internal-ip", "Internal ip"), ("--initial-network", "Initial network"), ("--links", "Links"),
    ("--post-create-network", "Post create network"), ("--post-start-network", "Post start network"),
    ("--service-root", "Service root"), ("--status", "Status"), ("--version", "Version"),
)


def label_of(plugin):
    return store.DATASTORES[plugin][0]


def help_entries(plugin):
    """Return the ``<plugin>:help`` entries."""
    return [
        (f"{plugin}:app-links <app>", f"List all {plugin} service links for a given app"),
        (f"{plugin}:create <service> [--create-flags...]", f"Create a {plugin} service"),
        (f"{plugin}:destroy <service> [-f|--force]", f"Delete the {plugin} service/data/container if there are no links left"),
        (f"{plugin}:exists <service>", f"Check if the {plugin} service exists"),
        (f"{plugin}:info <service> [--single-info-flag]", "Print the service information"),
        (f"{plugin}:link <service> <app> [--link-flags...]", f"Link the {plugin} service to the app"),
        (f"{plugin}:links <service>", "List all apps linked to the service"),
        (f"{plugin}:list", f"List all {plugin} services"),
        (f"{plugin}:restart <service>", "Graceful shutdown and restart of the service container"),
        (f"{plugin}:start <service>", "Start a previously stopped service"),
        (f"{plugin}:stop <service>", "Stop a running service"),
        (f"{plugin}:unlink <service> <app>", f"Unlink the {plugin} service from the app"),
    ]


def service_or_fail(ctx, plugin, name, st=None):
    """Return the service record or fail like verify_service_name."""
    st = st or ctx.state
    if not name:
        ctx.fail("Please specify a valid name for the service")
    service = st["services"].get(plugin, {}).get(name)
    if service is None:
        ctx.fail(f"{label_of(plugin)} service {name} does not exist")
    return service


def info_values(plugin, name, service):
    """Return the `--flag -> value` map of <plugin>:info."""
    root = f"/var/lib/dokku/services/{plugin}/{name}"
    running = service["status"] == "running"
    return {
        "--config-dir": f"{root}/data" if plugin == "postgres" else f"{root}/config",
        "--config-options": service.get("config_options", ""),
        "--data-dir": f"{root}/data",
        "--dsn": store.service_dsn(plugin, name, service),
        "--exposed-ports": service.get("exposed_ports") or "-",
        "--id": service["id"],
        "--internal-ip": service["internal_ip"] if running else "",
        "--initial-network": "",
        "--links": "".join(a + " " for a in service["links"]) or "-",
        "--post-create-network": "",
        "--post-start-network": "",
        "--service-root": root,
        "--status": service["status"],
        "--version": service["version"],
    }


def info_block(ctx, plugin, name, service):
    values = info_values(plugin, name, service)
    ctx.info2(f"{name} {plugin} service information")
    ctx.lines([VERBOSE + "%-20s %-25s" % (lbl + ":", values[flag]) for flag, lbl in INFO_FIELDS])


# ------------------------------------------------------------------ commands


def cmd_list(ctx, plugin, args):
    names = sorted(ctx.state["services"].get(plugin, {}))
    if not names:
        ctx.warn(f"There are no {label_of(plugin)} services")
        return 0
    ctx.info2(f"{label_of(plugin)} services", quiet=True)
    ctx.lines(names)
    return 0


def cmd_create(ctx, plugin, args):
    name = args[0] if args else ""
    if not NAME_RE.fullmatch(name):
        ctx.fail("Please specify a valid name for the service. Valid characters are: [A-Za-z0-9_]+")
    with ctx.transaction() as st:
        services = st["services"].setdefault(plugin, {})
        if name in services:
            ctx.fail(f"{label_of(plugin)} service {name} already exists")
        service = services[name] = store.make_service(plugin, name)
    lines = [f"{VERBOSE}Waiting for container to be ready"]
    if plugin in ("postgres", "mysql", "mariadb"):
        lines.append(f"{VERBOSE}Creating container database")
    if plugin == "postgres":
        lines.append(f"{VERBOSE}Securing connection to database")
    lines.append(f"{INFO2}{label_of(plugin)} container created: {name}")
    ctx.stream(lines)
    info_block(ctx, plugin, name, service)
    return 0


def cmd_info(ctx, plugin, args):
    name = args[0] if args else ""
    service = service_or_fail(ctx, plugin, name)
    flag = args[1] if len(args) > 1 else ""
    if not flag:
        info_block(ctx, plugin, name, service)
        return 0
    values = info_values(plugin, name, service)
    if flag not in values:
        ctx.fail("Invalid flag passed, valid flags:" + "".join(" " + f for f, _ in INFO_FIELDS))
    ctx.out(values[flag])
    return 0


def parse_link_args(args):
    """Split `<service> <app>` from -a/--alias, -q/--querystring, --no-restart."""
    positional, alias, query, no_restart = [], "", "", False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-a", "--alias") and i + 1 < len(args):
            alias, i = args[i + 1], i + 2
            continue
        if arg in ("-q", "--querystring") and i + 1 < len(args):
            query, i = args[i + 1], i + 2
            continue
        if arg == "--no-restart":
            no_restart = True
        else:
            positional.append(arg)
        i += 1
    return positional, alias, query, no_restart


def choose_key(ctx, plugin, env, alias):
    """Pick the config key for a new link (``DATABASE_URL`` or a colour alias)."""
    if alias:
        key = alias.upper().replace("-", "_") + "_URL"
        if key in env:
            ctx.fail(f"Specified alias {alias.upper().replace('-', '_')} already in use")
        return key
    key = store.DATASTORES[plugin][1] + "_URL"
    if key not in env:
        return key
    for colour in COLOURS:
        candidate = f"DOKKU_{plugin.upper()}_{colour}_URL"
        if candidate not in env:
            return candidate
    ctx.fail("Unable to find an available alias")


def cmd_link(ctx, plugin, args):
    positional, alias, query, no_restart = parse_link_args(args)
    no_restart = no_restart or "--no-restart" in ctx.opts.leading
    service_name, app_name = (positional + ["", ""])[:2]
    service = service_or_fail(ctx, plugin, service_name)
    app = ctx.verify_app_bash(app_name)
    dsn = store.service_dsn(plugin, service_name, service)
    linked = [k for k, v in app["config"].items() if v.split("?")[0] == dsn]
    if app_name in service["links"] or linked:
        ctx.fail(f"Already linked as {(linked or [choose_key(ctx, plugin, {}, alias)])[0]}")
    key = choose_key(ctx, plugin, app["config"], alias)
    with ctx.transaction() as st:
        links = service_or_fail(ctx, plugin, service_name, st)["links"]
        if app_name not in links:
            links.append(app_name)
    config_cmds.set_vars(ctx, app_name, {key: dsn + (f"?{query}" if query else "")}, no_restart)
    if no_restart:
        ctx.verbose("Skipping restart of linked app")
    return 0


def cmd_unlink(ctx, plugin, args):
    positional, _, _, no_restart = parse_link_args(args)
    no_restart = no_restart or "--no-restart" in ctx.opts.leading
    service_name, app_name = (positional + ["", ""])[:2]
    service = service_or_fail(ctx, plugin, service_name)
    app = ctx.verify_app_bash(app_name)
    if app_name not in service["links"]:
        ctx.fail(f"Not linked to app {app_name}")
    dsn = store.service_dsn(plugin, service_name, service)
    keys = sorted(k for k, v in app["config"].items() if v.split("?")[0] == dsn)
    with ctx.transaction() as st:
        links = service_or_fail(ctx, plugin, service_name, st)["links"]
        if app_name in links:
            links.remove(app_name)
    config_cmds.unset_vars(ctx, app_name, keys, no_restart)
    if no_restart:
        ctx.verbose("Skipping restart of linked app")
    return 0


def cmd_destroy(ctx, plugin, args):
    force = ctx.force or any(a in ("-f", "--force") for a in args)
    name = next((a for a in args if a not in ("-f", "--force")), "")
    service = service_or_fail(ctx, plugin, name)
    if service["links"]:
        ctx.fail("Cannot delete linked service")
    if not force:
        ctx.warn("WARNING: Potentially Destructive Action")
        ctx.warn(f"This command will destroy {name} {label_of(plugin)} service.")
        ctx.warn(f'To proceed, type "{name}"')
        ctx.out("")
        if ctx.stdin.isatty():
            ctx.err_write("> ")  # bash `read -p` prompts on stderr, and only on a tty
        answer = ctx.stdin.readline().strip()
        if answer != name:
            ctx.fail(f"Confirmation did not match {name}. Aborted.")
    with ctx.transaction() as st:
        service_or_fail(ctx, plugin, name, st)
        del st["services"][plugin][name]
    ctx.stream([f"{INFO2}Deleting {name}", f"{VERBOSE}Removing container", f"{VERBOSE}Removing data",
                f"{INFO2}{label_of(plugin)} container deleted: {name}"])
    return 0


def cmd_exists(ctx, plugin, args):
    name = args[0] if args else ""
    service_or_fail(ctx, plugin, name)
    ctx.info1(f"Service {name} exists")
    return 0


def _set_status(ctx, plugin, args, status, lines):
    name = args[0] if args else ""
    with ctx.transaction() as st:
        service_or_fail(ctx, plugin, name, st)["status"] = status
    ctx.stream(lines)
    return 0


def cmd_start(ctx, plugin, args):
    return _set_status(ctx, plugin, args, "running", [f"{INFO2}Starting container",
                                                      f"{VERBOSE}Container started"])


def cmd_stop(ctx, plugin, args):
    return _set_status(ctx, plugin, args, "exited", [f"{INFO2}Stopping container",
                                                     f"{VERBOSE}Container stopped"])


def cmd_restart(ctx, plugin, args):
    return _set_status(ctx, plugin, args, "running", [
        f"{INFO2}Stopping container", f"{VERBOSE}Container stopped",
        f"{INFO2}Starting container", f"{VERBOSE}Container started"])


def cmd_links(ctx, plugin, args):
    service = service_or_fail(ctx, plugin, args[0] if args else "")
    ctx.lines(sorted(service["links"]))
    return 0


def cmd_app_links(ctx, plugin, args):
    name = args[0] if args else ""
    ctx.verify_app_bash(name)
    ctx.lines(sorted(s for s, rec in ctx.state["services"].get(plugin, {}).items() if name in rec["links"]))
    return 0


SUBCOMMANDS = {
    "list": cmd_list, "create": cmd_create, "info": cmd_info, "link": cmd_link,
    "unlink": cmd_unlink, "destroy": cmd_destroy, "exists": cmd_exists, "start": cmd_start,
    "stop": cmd_stop, "restart": cmd_restart, "links": cmd_links, "app-links": cmd_app_links,
}


def dispatch(ctx, plugin, sub, args):
    """Run ``<plugin>:<sub>``; NotImplemented means 'not a dokku command'."""
    handler = SUBCOMMANDS.get(sub)
    if handler is None:
        return NotImplemented
    return handler(ctx, plugin, args)


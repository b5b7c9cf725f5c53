"""ports:* and proxy:* commands (Go plugins `ports` and `proxy`)."""

import re

from .. import report
from ..core import Flag, columnize, go_json, parse_flags
from ..deploy import proxy_rebuild_lines
from ..report import ReportSpec, global_prop, triple

HELP = (
    ("ports:add <app> <scheme>:<host-port>:<container-port> [...]", "Add port mappings to an app"),
    ("ports:clear <app>", "Clear all port mappings for an app"),
    ("ports:list <app>", "List port mappings for an app"),
    ("ports:remove <app> <host-port>|<scheme>:<host-port>:<container-port> [...]", "Remove specific port mappings from an app"),
    ("ports:report [<app>] [<flag>]", "Displays a ports report for one or more apps"),
    ("ports:set <app> <scheme>:<host-port>:<container-port> [...]", "Set port mappings for an app"),
    ("proxy:disable <app>", "Disable proxy for app"),
    ("proxy:enable <app>", "Enable proxy for app"),
    ("proxy:report [<app>] [<flag>]", "Displays a proxy report for one or more apps"),
    ("proxy:set <app> <proxy-type>", "Set proxy type for app"),
)

PORT_RE = re.compile(r"[a-z0-9]+:\d+:\d+")


def port_json(mappings):
    """Return the ``--ports-map-json`` value (``null`` when empty)."""
    if not mappings:
        return "null"
    items = []
    for mapping in mappings:
        scheme, host, container = mapping.split(":")
        items.append({"container_port": int(container), "host_port": int(host), "scheme": scheme})
    return go_json(items)


def ports_flags(ctx, st, name, app, info):
    flags = {
        "--ports-map": " ".join(app["ports"]),
        "--ports-map-detected": " ".join(app["ports_detected"]),
    }
    if ctx.version >= (0, 38, 26):
        flags["--ports-map-json"] = port_json(app["ports"])
        flags["--ports-map-detected-json"] = port_json(app["ports_detected"])
    return flags


def proxy_flags(ctx, st, name, app, info):
    proxy = app["proxy"]
    flags = {"--proxy-enabled": "true" if proxy["enabled"] else "false"}
    flags.update(triple("proxy", "type", proxy["type"], global_prop(st, "proxy", "type"), "nginx"))
    flags.update(triple("proxy", "proxy-port", proxy["proxy_port"], global_prop(st, "proxy", "proxy-port")))
    flags.update(triple("proxy", "proxy-ssl-port", proxy["proxy_ssl_port"], global_prop(st, "proxy", "proxy-ssl-port")))
    return flags


PORTS_SPEC = ReportSpec("ports", "ports", ports_flags, legacy=True)
PROXY_SPEC = ReportSpec("proxy", "proxy", proxy_flags, legacy=True)


def cmd_ports_report(ctx, args):
    return report.run(ctx, PORTS_SPEC, args)


def cmd_proxy_report(ctx, args):
    return report.run(ctx, PROXY_SPEC, args)


def cmd_ports_list(ctx, args):
    _, pos = parse_flags(ctx, "ports:list", args)
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    mappings = sorted(app["ports"] or app["ports_detected"])
    if not mappings:
        ctx.fail("No port mappings configured for app")
    ctx.info1(f"Port mappings for {name}")
    rows = [["-----> scheme", "host port", "container port"]] + [m.split(":") for m in mappings]
    ctx.lines(columnize(rows, prefix="    "))
    return 0


def _validated(ctx, mappings):
    """Return *mappings* if each is ``scheme:host-port:container-port``."""
    for mapping in mappings:
        if not PORT_RE.fullmatch(mapping):
            ctx.fail(f"Invalid port mapping specified: {mapping}")
    return mappings


def _change_ports(ctx, command, args, change, need_mappings=True):
    _, pos = parse_flags(ctx, command, args)
    name, rest = (pos[0] if pos else ""), pos[1:]
    ctx.verify_app(name)
    if need_mappings and not rest:
        ctx.fail("No port mapping specified")
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["ports"] = change(app["ports"], rest)
        lines = proxy_rebuild_lines(st, app)
    ctx.stream(lines)
    return 0


def cmd_ports_add(ctx, args):
    def change(current, new):
        return current + [m for m in _validated(ctx, new) if m not in current]
    return _change_ports(ctx, "ports:add", args, change)


def cmd_ports_set(ctx, args):
    def change(current, new):
        return list(dict.fromkeys(_validated(ctx, new)))
    return _change_ports(ctx, "ports:set", args, change)


def cmd_ports_remove(ctx, args):
    def change(current, items):
        # An item is a full mapping or just a host port.
        return [m for m in current if m not in items and m.split(":")[1] not in items]
    return _change_ports(ctx, "ports:remove", args, change)


def cmd_ports_clear(ctx, args):
    return _change_ports(ctx, "ports:clear", args, lambda current, _: [], need_mappings=False)


def _toggle_proxy(ctx, args, enable):
    command = "proxy:enable" if enable else "proxy:disable"
    values, pos = parse_flags(ctx, command, args, [Flag("all", usage="run against all apps"),
                                                   Flag("parallel", "int")])
    names = sorted(ctx.state["apps"]) if values["all"] else [pos[0] if pos else ""]
    for name in names:
        ctx.verify_app(name)
        with ctx.transaction() as st:
            app = st["apps"][name]
            already = app["proxy"]["enabled"] == enable
            app["proxy"]["enabled"] = enable
            lines = proxy_rebuild_lines(st, app) if enable and not already else []
        if already:
            ctx.info1(f"Proxy is already {'enabled' if enable else 'disabled'} for app ({name})")
            continue
        ctx.info1(f"{'Enabling' if enable else 'Disabling'} proxy for app ({name})")
        ctx.stream(lines)
    return 0


def cmd_proxy_enable(ctx, args):
    return _toggle_proxy(ctx, args, True)


def cmd_proxy_disable(ctx, args):
    return _toggle_proxy(ctx, args, False)


def cmd_proxy_set(ctx, args):
    values, pos = parse_flags(ctx, "proxy:set", args, [Flag("global")])
    if values["global"]:
        proxy_type = pos[0] if pos else ""
        with ctx.transaction() as st:
            st["global"].setdefault("props", {}).setdefault("proxy", {})["type"] = proxy_type
    else:
        name, proxy_type = (pos + ["", ""])[:2]
        ctx.verify_app(name)
        with ctx.transaction() as st:
            st["apps"][name]["proxy"]["type"] = proxy_type
    if proxy_type:
        ctx.info1(f"Setting proxy type to {proxy_type}")
    else:
        ctx.info1("Unsetting proxy type")
    return 0


COMMANDS = {
    "ports:report": cmd_ports_report,
    "ports:list": cmd_ports_list,
    "ports:add": cmd_ports_add,
    "ports:set": cmd_ports_set,
    "ports:remove": cmd_ports_remove,
    "ports:clear": cmd_ports_clear,
    "proxy:report": cmd_proxy_report,
    "proxy:enable": cmd_proxy_enable,
    "proxy:disable": cmd_proxy_disable,
    "proxy:set": cmd_proxy_set,
}

"""ports:* and proxy:* commands (Go plugins plugins/ports and plugins/proxy)."""

import re

from .. import report
from ..core import Flag, columnize, go_json, parse_flags
from ..deploy import proxy_rebuild_lines
from ..report import ReportSpec, global_prop, triple
from ..tls import installed_cert

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

def go_atoi(text):
    """strconv.Atoi: optional sign then ASCII digits; None when Go returns an error."""
    return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else None


def atoi_error(text):
    """The err.Error() text strconv.Atoi gives for *text*."""
    return f'strconv.Atoi: parsing "{text}": invalid syntax'


def parse_port_maps(ctx, words):
    """plugins/ports/functions.go parsePortMapString over ``strings.Join(words, " ")``.

    Returns (scheme, host, container) triples; a bare host port becomes the
    ``__internal__`` scheme (used by ports:remove, never stored). The ports
    must satisfy inRange(0, 65536): 0 < port < 65536.
    """
    maps = []
    for word in " ".join(words).strip().split(" "):
        parts = word.split(":", 2)
        if len(parts) == 1:
            host = go_atoi(word)
            if host is None:
                ctx.fail(f"Invalid port map {word} [err={atoi_error(word)}]")
            if not 0 < host < 65536:
                ctx.fail(f"Invalid port map {word} [hostPort={host}]")
            maps.append(("__internal__", host, 0))
            continue
        if len(parts) != 3:
            ctx.fail(f"Invalid port map {word} [len={len(parts)}]")
        host, container = go_atoi(parts[1]), go_atoi(parts[2])
        if host is None:
            ctx.fail(f"Invalid port map {word} [err={atoi_error(parts[1])}]")
        if container is None:
            ctx.fail(f"Invalid port map {word} [err={atoi_error(parts[2])}]")
        if not 0 < host < 65536:
            ctx.fail(f"Invalid port map {word} [hostPort={host}]")
        if not 0 < container < 65536:
            ctx.fail(f"Invalid port map {word} [containerPort={container}]")
        maps.append((parts[0], host, container))
    return maps


def map_string(port_map):
    """PortMap.String(): ``scheme:host:container``."""
    return "%s:%d:%d" % port_map


def stored_maps(app):
    """getPortMaps: the app's stored ``map`` property, parsed."""
    maps = []
    for word in app["ports"]:
        scheme, host, container = word.split(":", 2)
        maps.append((scheme, int(host), int(container)))
    return maps


def reused_scheme_host_port(maps):
    """reusesSchemeHostPort: the first ``scheme:host-port`` seen twice, or None."""
    seen = set()
    for scheme, host, _ in maps:
        key = f"{scheme}:{host}"
        if key in seen:
            return key
        seen.add(key)
    return None


def write_maps(ctx, app, maps):
    """setPortMaps: refuse a reused scheme:host-port, drop internal maps, store sorted strings."""
    reused = reused_scheme_host_port(maps)
    if reused:
        ctx.fail(f"Error validating port mappings: The same scheme:host-port is being reused: {reused}")
    app["ports"] = sorted(map_string(m) for m in maps if m[0] != "__internal__")


def detected_maps(st, app):
    """plugins/ports/functions.go getDetectedPortMaps.

    The stored ``map-detected`` or else ``http:<proxy-port or 80>:5000``; with a
    certificate, an https map on the SSL port is added for each http:80 map, or,
    without an http:80 map, every http map turns https.
    """
    maps = []
    for word in app["ports_detected"]:
        scheme, host, container = word.split(":", 2)
        maps.append([scheme, int(host), int(container)])
    if not maps:
        base = go_atoi(app["proxy"]["proxy_port"] or "") or go_atoi(global_prop(st, "proxy", "proxy-port")) or 80
        maps = [["http", base, 5000]]
    if installed_cert(app) is not None:
        ssl = (go_atoi(app["proxy"]["proxy_ssl_port"] or "")
               or go_atoi(global_prop(st, "proxy", "proxy-ssl-port")) or 443)
        extra = [["https", ssl, m[2]] for m in maps if m[0] == "http" and m[1] == 80]
        if extra:
            maps += extra
        else:
            for m in maps:
                if m[0] == "http":
                    m[0] = "https"
    return [tuple(m) for m in maps]


def port_json(maps):
    """json.Marshal of a []PortMap (field order of the struct: container_port, host_port, scheme)."""
    return "[" + ",".join('{"container_port":%d,"host_port":%d,"scheme":%s}'
                          % (c, h, go_json(s)) for s, h, c in maps) + "]"


def ports_flags(ctx, st, name, app, info):
    """ports:report values (plugins/ports/report.go ReportSingleApp and its report* funcs)."""
    detected = detected_maps(st, app)
    flags = {
        "--ports-map": " ".join(map_string(m) for m in stored_maps(app)),
        "--ports-map-detected": " ".join(map_string(m) for m in detected),
    }
    if ctx.version >= (0, 38, 26):
        flags["--ports-map-json"] = port_json(stored_maps(app))
        flags["--ports-map-detected-json"] = port_json(detected)
    return flags


def proxy_flags(ctx, st, name, app, info):
    proxy = app["proxy"]
    flags = {"--proxy-enabled": "true" if proxy["enabled"] else "false"}
    flags.update(triple("proxy", "type", proxy["type"], global_prop(st, "proxy", "type"), "nginx"))
    flags.update(triple("proxy", "proxy-port", proxy["proxy_port"], global_prop(st, "proxy", "proxy-port")))
    flags.update(triple("proxy", "proxy-ssl-port", proxy["proxy_ssl_port"], global_prop(st, "proxy", "proxy-ssl-port")))
    return flags


PORTS_SPEC = ReportSpec("ports", "ports", ports_flags, legacy=True, global_keys=())
PROXY_SPEC = ReportSpec("proxy", "proxy", proxy_flags, legacy=True)


def cmd_ports_report(ctx, args):
    """ports:report (plugins/ports/subcommands.go CommandReport)."""
    return report.run(ctx, PORTS_SPEC, args)


def cmd_proxy_report(ctx, args):
    return report.run(ctx, PROXY_SPEC, args)


def cmd_ports_list(ctx, args):
    """ports:list (plugins/ports/functions.go listAppPortMaps): the stored maps only, never the detected."""
    _, pos = parse_flags(ctx, "ports:list", args)
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    maps = stored_maps(app)
    if not maps:
        ctx.fail("No port mappings configured for app")
    lines = [] if ctx.quiet else ["-----> scheme:host port:container port"]
    lines = sorted(lines + [map_string(m) for m in maps])
    ctx.info1(f"Port mappings for {name}", quiet=True)
    ctx.lines(columnize([line.split(":") for line in lines], prefix="    "))
    return 0


def _change_ports(ctx, command, args, change, need_mappings=True):
    """The shared body of the ports:* Command funcs: verify, parse, change, post-proxy-ports-update."""
    _, pos = parse_flags(ctx, command, args)
    name, rest = (pos[0] if pos else ""), pos[1:]
    ctx.verify_app(name)
    if need_mappings and not rest:
        ctx.fail("No port mapping specified")
    maps = parse_port_maps(ctx, rest) if need_mappings else []
    with ctx.transaction() as st:
        app = st["apps"][name]
        change(app, maps)
        lines = proxy_rebuild_lines(st, app)
    ctx.stream(lines)
    return 0


def cmd_ports_add(ctx, args):
    """ports:add (plugins/ports/subcommands.go CommandAdd).

    A scheme:host-port used twice among the new maps, or already stored
    (even by the very same map), is refused; the stored list is sorted.
    """
    def change(app, maps):
        reused = reused_scheme_host_port(maps)
        if reused:
            ctx.fail(f"Error validating new port mappings: The same scheme:host-port is being reused: {reused}")
        reused = reused_scheme_host_port(stored_maps(app) + maps)
        if reused:
            ctx.fail(f"Error validating all port mappings: The same scheme:host-port is being reused: {reused}")
        write_maps(ctx, app, stored_maps(app) + maps)
    return _change_ports(ctx, "ports:add", args, change)


def cmd_ports_set(ctx, args):
    """ports:set (plugins/ports/subcommands.go CommandSet, setPortMaps)."""
    def change(app, maps):
        reused = reused_scheme_host_port(maps)
        if reused:
            ctx.fail(f"Error validating port mappings: The same scheme:host-port is being reused: {reused}")
        write_maps(ctx, app, maps)
    return _change_ports(ctx, "ports:set", args, change)


def cmd_ports_remove(ctx, args):
    """ports:remove (plugins/ports/functions.go removePortMaps).

    A bare host port removes every map on that host port, a full map only
    the identical one.
    """
    def change(app, maps):
        by_port = {m[1] for m in maps if m[0] == "__internal__"}
        exact = {m for m in maps if m[0] != "__internal__"}
        kept = [m for m in stored_maps(app) if m not in exact and m[1] not in by_port]
        if kept:
            write_maps(ctx, app, kept)
        else:
            app["ports"] = []
    return _change_ports(ctx, "ports:remove", args, change)


def cmd_ports_clear(ctx, args):
    """ports:clear (plugins/ports/functions.go clearPorts): deletes ``map`` and ``map-detected``."""
    def change(app, _maps):
        app["ports"] = []
        app["ports_detected"] = []
    return _change_ports(ctx, "ports:clear", args, change, need_mappings=False)


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

"""network:* commands (Go plugin `network`)."""

from .. import report
from ..props import cmd_property_set
from ..report import ReportSpec, global_prop, triple

HELP = (
    ("network:report [<app>] [<flag>]", "Displays a network report for one or more apps"),
    ("network:set <app> <key> (<value>)", "Set or clear a network property for an app"),
)

# property -> default of the computed value
PROPERTIES = {
    "attach-post-create": "",
    "attach-post-deploy": "",
    "bind-all-interfaces": "false",
    "initial-network": "",
    "tld": "",
}
GLOBAL_DEFAULTS = {"bind-all-interfaces": "false"}
PROPS = {p: ("network", p) for p in list(PROPERTIES) + ["static-web-listener"]}


def web_listeners(app):
    """Return ``ip:port`` of each running web container."""
    return " ".join(f"172.17.0.{5 + i}:5000" for i, c in enumerate(app["containers"])
                    if c["proc"] == "web" and c["status"] == "running")


def report_flags(ctx, st, name, app, info):
    net = app["network"]
    flags = {
        "--network-static-web-listener": net.get("static-web-listener", ""),
        "--network-web-listeners": web_listeners(app) if app["deployed"] else "",
    }
    for prop, default in PROPERTIES.items():
        g = global_prop(st, "network", prop, GLOBAL_DEFAULTS.get(prop, ""))
        flags.update(triple("network", prop, net.get(prop, ""), g, default))
    return flags


SPEC = ReportSpec("network", "network", report_flags, legacy=True)


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


def cmd_set(ctx, args):
    return cmd_property_set(ctx, "network", args, PROPS, tuple(PROPERTIES))


COMMANDS = {"network:report": cmd_report, "network:set": cmd_set}

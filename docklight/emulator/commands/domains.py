"""domains:* commands (bash plugin `domains`; the report is Go)."""

import re

from .. import report
from ..core import INFO1
from ..deploy import proxy_rebuild_lines
from ..report import ReportSpec

HELP = (
    ("domains:add <app> <domain> [<domain> ...]", "Add domains to app"),
    ("domains:add-global <domain> [<domain> ...]", "Add global domain names"),
    ("domains:clear <app>", "Clear all domains for app"),
    ("domains:clear-global", "Clear global domain names"),
    ("domains:disable <app>", "Disable VHOST support"),
    ("domains:enable <app>", "Enable VHOST support"),
    ("domains:remove <app> <domain> [<domain> ...]", "Remove a domain from app"),
    ("domains:remove-global <domain> [<domain> ...]", "Remove global domain names"),
    ("domains:report [<app>|--global] [<flag>]", "Displays a domains report for one or more apps"),
    ("domains:set <app> <domain> [<domain> ...]", "Set domains for app"),
    ("domains:set-global <domain> [<domain> ...]", "Set global domain names"),
)

DOMAIN_RE = re.compile(r"[a-z0-9.*-]*[a-z0-9*-]")
MISSING_DOMAIN = "Please specify a domain name. Usage: dokku <app>  <domain> [<domain> ...]"


def report_flags(ctx, st, name, app, info):
    """Return the domains:report values."""
    global_domains = st["global"]["domains"]
    return {
        "--domains-app-enabled": "true" if app["domains_enabled"] else "false",
        "--domains-app-vhosts": " ".join(app["domains"]),
        "--domains-global-enabled": "true" if global_domains else "false",
        "--domains-global-vhosts": " ".join(global_domains),
    }


SPEC = ReportSpec("domains", "domains", report_flags, legacy=False)


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


def validate_domains(ctx, domains):
    """Fail on the first invalid domain, before anything changes."""
    for domain in domains:
        lowered = domain.lower()
        if lowered != "_" and not DOMAIN_RE.fullmatch(lowered):
            ctx.fail(f"{domain} is invalid. exiting...")
    return [d.lower() for d in domains]


def _app_and_domains(ctx, args, need_domains=True):
    name, domains = (args[0] if args else ""), args[1:]
    if need_domains and not domains:
        ctx.fail(MISSING_DOMAIN)
    ctx.verify_app_bash(name)
    return name, validate_domains(ctx, domains)


def _letsencrypt_hint(ctx):
    if ctx.is_plugin_enabled("letsencrypt"):
        ctx.warn("Please run dokku letsencrypt:enable to add https support to the new domain")


def _finish(ctx, messages, rebuild, hint=False):
    ctx.lines(messages)
    if hint:
        _letsencrypt_hint(ctx)
    ctx.stream(rebuild)
    return 0


def cmd_add(ctx, args):
    name, domains = _app_and_domains(ctx, args)
    messages = []
    with ctx.transaction() as st:
        app = st["apps"][name]
        for domain in domains:
            if domain in app["domains"]:
                messages.append(f"{INFO1}Skipping: {domain} already added to {name}")
            else:
                app["domains"].append(domain)
                messages.append(f"{INFO1}Added {domain} to {name}")
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, messages, rebuild, hint=True)


def cmd_remove(ctx, args):
    name, domains = _app_and_domains(ctx, args)
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["domains"] = [d for d in app["domains"] if d not in domains]
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, [f"{INFO1}Removed {d} from {name}" for d in domains], rebuild)


def cmd_set(ctx, args):
    name, domains = _app_and_domains(ctx, args)
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["domains"] = list(dict.fromkeys(domains))
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, [f"{INFO1}Set {' '.join(domains)} for {name}"], rebuild, hint=True)


def cmd_clear(ctx, args):
    name, _ = _app_and_domains(ctx, args[:1], need_domains=False)
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["domains"] = []
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, [f"{INFO1}Cleared domains in {name}"], rebuild)


def _toggle(ctx, args, enable):
    name, _ = _app_and_domains(ctx, args[:1], need_domains=False)
    with ctx.transaction() as st:
        app = st["apps"][name]
        if app["domains_enabled"] == enable:
            state = "enabled" if enable else "disabled"
            return _finish(ctx, [f"{INFO1}Domains (VHOST) already {state} for app ({name})"], [])
        app["domains_enabled"] = enable
        if enable and not app["domains"]:
            app["domains"] = [f"{name}.{d}" for d in st["global"]["domains"]]
        rebuild = proxy_rebuild_lines(st, app)
    verb = "Enabling" if enable else "Disabling"
    return _finish(ctx, [f"{INFO1}{verb} domains for {name}"], rebuild)


def cmd_enable(ctx, args):
    return _toggle(ctx, args, True)


def cmd_disable(ctx, args):
    return _toggle(ctx, args, False)


def cmd_add_global(ctx, args):
    if not args:
        ctx.fail("Please specify a domain name. Usage: dokku domains:add-global <domain> [<domain> ...]")
    domains = validate_domains(ctx, args)
    messages = []
    with ctx.transaction() as st:
        for domain in domains:
            if domain in st["global"]["domains"]:
                messages.append(f"{INFO1}Skipping: {domain} already added")
            else:
                st["global"]["domains"].append(domain)
                messages.append(f"{INFO1}Added {domain}")
    ctx.lines(messages)
    return 0


def cmd_remove_global(ctx, args):
    if not args:
        ctx.fail("Please specify a domain name. Usage: dokku domains:remove-global <domain> [<domain> ...]")
    domains = validate_domains(ctx, args)
    with ctx.transaction() as st:
        st["global"]["domains"] = [d for d in st["global"]["domains"] if d not in domains]
    ctx.lines([f"{INFO1}Removed {d}" for d in domains])
    return 0


def cmd_set_global(ctx, args):
    if not args:
        ctx.fail("Please specify a domain name. Usage: dokku domains:set-global <domain> [<domain> ...]")
    domains = validate_domains(ctx, args)
    with ctx.transaction() as st:
        st["global"]["domains"] = list(dict.fromkeys(domains))
    ctx.info1(f"Set {' '.join(domains)}")
    return 0


def cmd_clear_global(ctx, args):
    with ctx.transaction() as st:
        st["global"]["domains"] = []
    ctx.info1("Cleared global domains")
    return 0


COMMANDS = {
    "domains:report": cmd_report,
    "domains:add": cmd_add,
    "domains:remove": cmd_remove,
    "domains:set": cmd_set,
    "domains:clear": cmd_clear,
    "domains:enable": cmd_enable,
    "domains:disable": cmd_disable,
    "domains:add-global": cmd_add_global,
    "domains:remove-global": cmd_remove_global,
    "domains:set-global": cmd_set_global,
    "domains:clear-global": cmd_clear_global,
}

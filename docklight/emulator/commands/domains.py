"""domains:* commands (plugins/domains: bash subcommands and functions; report.go is Go)."""

import ipaddress
import re

from docklight.dokku.sed_pattern import sed_line_regex

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
    ("domains:reset <app>", "Reset app domains to global-configured domains"),
    ("domains:set <app> <domain> [<domain> ...]", "Set domains for app"),
    ("domains:set-global <domain> [<domain> ...]", "Set global domain names"),
)

DOMAIN_RE = re.compile(r"[a-z0-9.*-]*[a-z0-9*-]")


def missing_domain(ctx, *words):
    """The "Please specify a domain name" failure; bash's usage text echoes $1 ($2) after the shift."""
    usage = " ".join(words)
    ctx.fail(f"Please specify a domain name. Usage: dokku {usage} <domain> [<domain> ...]")


def missing_app_domain(ctx, args):
    """The failure of domains:add/remove/set without a domain: ``dokku $1 $2 <domain>``."""
    missing_domain(ctx, args[0] if args else "", "")


def report_flags(ctx, st, name, app, info):
    """domains:report values (plugins/domains/report.go: reportAppVhosts, isGlobalVhostEnabled)."""
    global_domains = st["global"]["domains"]
    enabled = global_vhost_enabled(st)
    return {
        "--domains-app-enabled": "true" if app["domains_enabled"] else "false",
        "--domains-app-vhosts": " ".join(app["domains"]),
        "--domains-global-enabled": "true" if enabled else "false",
        "--domains-global-vhosts": " ".join(global_domains) if enabled else "",
    }


SPEC = ReportSpec("domains", "domains", report_flags, legacy=False,
                  global_keys=("--domains-global-enabled", "--domains-global-vhosts"))


def cmd_report(ctx, args):
    """domains:report (plugins/domains/subcommands.go CommandReport, report.go ReportSingleApp)."""
    return report.run(ctx, SPEC, args)


def valid_hostname(domain):
    """plugins/domains/functions is_valid_hostname: the check lower-cases, the value is kept as typed."""
    lowered = domain.lower()
    return lowered == "_" or bool(DOMAIN_RE.fullmatch(lowered))


def validate_domains(ctx, domains):
    """Fail on the first invalid domain, before anything changes (domains_add / domains_set)."""
    for domain in domains:
        if not valid_hostname(domain):
            ctx.fail(f"{domain} is invalid. exiting...")
    return list(domains)


def global_vhost_enabled(st):
    """plugins/domains/functions is_global_vhost_enabled: any global line that is a valid hostname."""
    return any(valid_hostname(d) for d in st["global"]["domains"])


def _is_ip(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def default_vhosts(st, name):
    """plugins/domains/functions get_default_vhosts (no nginx-hostname trigger answers).

    One line per global vhost that is not an IP address: ``APP.VHOST``, or the
    bare app name when the name holds a dot (``[[ "$APP" == *.* ]]``).
    """
    if not global_vhost_enabled(st):
        return []
    return [name if "." in name else f"{name}.{vhost}"
            for vhost in st["global"]["domains"] if not _is_ip(vhost)]


def remove_matching(lines, domains):
    """Return *lines* without every line one of the sed expressions deletes."""
    for domain in domains:
        pattern = sed_line_regex(domain)
        lines = [line for line in lines if not pattern.fullmatch(line)]
    return lines


def rename_vhosts(st, lines, old, new):
    """plugins/domains/post-app-rename-setup: ``sed s/OLD\\.VHOST/NEW.VHOST/g`` per global vhost.

    A substring replace of a regex: ``www.OLD.VHOST`` becomes ``www.NEW.VHOST``
    and the dots of VHOST match any character.
    """
    for vhost in st["global"]["domains"]:
        if not vhost:
            continue
        pattern = re.compile(re.escape(old) + r"\." + sed_line_regex(vhost).pattern)
        lines = [pattern.sub(lambda _m: f"{new}.{vhost}", line) for line in lines]
    return lines


def _enable(st, name, app):
    """domains_enable on a disabled app: the VHOST file is overwritten with the defaults."""
    defaults = default_vhosts(st, name)
    if defaults:
        app["domains"] = defaults
    app["domains_enabled"] = True


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
    """domains:add (plugins/domains/subcommands/add, functions domains_add).

    Every domain is checked first; each is appended unless the very line is
    there (grep -x -F). On an app whose domains are disabled, domains_enable
    then runs and overwrites the file with the default vhosts.
    """
    if len(args) < 2 or not args[1]:
        missing_app_domain(ctx, args)
    name = args[0]
    ctx.verify_app_bash(name)
    domains = validate_domains(ctx, args[1:])
    messages = []
    with ctx.transaction() as st:
        app = st["apps"][name]
        for domain in domains:
            if domain in app["domains"]:
                messages.append(f"{INFO1}Skipping: {domain} already added to {name}")
            else:
                app["domains"].append(domain)
                messages.append(f"{INFO1}Added {domain} to {name}")
        if not app["domains_enabled"]:
            _enable(st, name, app)
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, messages, rebuild, hint=True)


def cmd_remove(ctx, args):
    """domains:remove (plugins/domains/subcommands/remove, functions domains_remove).

    Nothing is validated; each domain is a sed expression ``\\|^DOMAIN$|d``, so
    ``a.example.com`` also deletes ``a-example.com`` (see sed_line_regex).
    """
    if len(args) < 2 or not args[1]:
        missing_app_domain(ctx, args)
    name, domains = args[0], args[1:]
    ctx.verify_app_bash(name)
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["domains"] = remove_matching(app["domains"], domains)
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, [f"{INFO1}Removed {d} from {name}" for d in domains], rebuild)


def cmd_set(ctx, args):
    """domains:set (plugins/domains/subcommands/set, functions domains_set).

    The file becomes ``echo "$*" | tr " " "\\n"``: the domains as given,
    duplicates kept; a disabled app is then enabled (defaults written over).
    """
    if len(args) < 2 or not args[1]:
        missing_app_domain(ctx, args)
    name = args[0]
    ctx.verify_app_bash(name)
    domains = validate_domains(ctx, args[1:])
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["domains"] = list(domains)
        if not app["domains_enabled"]:
            _enable(st, name, app)
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, [f"{INFO1}Set {' '.join(domains)} for {name}"], rebuild, hint=True)


def cmd_clear(ctx, args):
    """domains:clear (plugins/domains/subcommands/clear, functions fn-domains-clear-app)."""
    name = args[0] if args else ""
    ctx.verify_app_bash(name)
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["domains"] = []
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, [f"{INFO1}Cleared domains in {name}"], rebuild)


def cmd_reset(ctx, args):
    """domains:reset (plugins/domains/subcommands/reset): clear, then domains_setup's defaults."""
    name = args[0] if args else ""
    ctx.verify_app_bash(name)
    messages = [f"{INFO1}Cleared domains in {name}"]
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["domains"] = default_vhosts(st, name)
        if app["domains"]:
            if not ctx.quiet:
                messages.append(f"{INFO1}Creating new app virtual host file...")
        else:
            if not ctx.quiet:
                messages.append(f"{INFO1}Global server virtual host not set, disabling app vhost...")
            messages.append(f"{INFO1}App virtual host support disabled")
            app["domains_enabled"] = False
        rebuild = proxy_rebuild_lines(st, app)
    if not ctx.quiet:
        messages.append(f"{INFO1}Reset domains for {name}")
    return _finish(ctx, messages, rebuild)


def cmd_enable(ctx, args):
    """domains:enable (plugins/domains/functions domains_enable, enable_app_vhost).

    Enabling writes the default vhosts over whatever the VHOST file held and
    prints nothing of its own.
    """
    name = args[0] if args else ""
    ctx.verify_app_bash(name)
    with ctx.transaction() as st:
        app = st["apps"][name]
        if app["domains_enabled"]:
            return _finish(ctx, [f"{INFO1}Domains (VHOST) support is already enabled for app ({name})"], [])
        _enable(st, name, app)
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, [], rebuild)


def cmd_disable(ctx, args):
    """domains:disable (plugins/domains/functions domains_disable, disable_app_vhost).

    Disabling deletes the app's VHOST file: its domains are gone, and a later
    domains:enable brings back only the default vhosts.
    """
    name = args[0] if args else ""
    ctx.verify_app_bash(name)
    with ctx.transaction() as st:
        app = st["apps"][name]
        if not app["domains_enabled"]:
            return _finish(ctx, [f"{INFO1}Domains (VHOST) support is already disabled for app ({name})"], [])
        app["domains_enabled"] = False
        app["domains"] = []
        rebuild = proxy_rebuild_lines(st, app)
    return _finish(ctx, [f"{INFO1}App virtual host support disabled"], rebuild)


def cmd_add_global(ctx, args):
    """domains:add-global (plugins/domains/subcommands/add-global, functions domains_add_global)."""
    if not args or not args[0]:
        missing_domain(ctx, "")
    domains = validate_domains(ctx, args)
    messages = []
    with ctx.transaction() as st:
        for domain in domains:
            if domain in st["global"]["domains"]:
                messages.append(f"{INFO1}Skipping {domain}: already added")
            else:
                st["global"]["domains"].append(domain)
                messages.append(f"{INFO1}Added {domain}")
    ctx.lines(messages)
    return 0


def cmd_remove_global(ctx, args):
    """domains:remove-global (functions domains_remove_global: the same sed deletion, no validation)."""
    if not args or not args[0]:
        missing_domain(ctx, "")
    with ctx.transaction() as st:
        st["global"]["domains"] = remove_matching(st["global"]["domains"], args)
    ctx.lines([f"{INFO1}Removed {d}" for d in args])
    return 0


def cmd_set_global(ctx, args):
    """domains:set-global (functions domains_set_global: the list as given, duplicates kept)."""
    if not args or not args[0]:
        missing_domain(ctx, "")
    domains = validate_domains(ctx, args)
    with ctx.transaction() as st:
        st["global"]["domains"] = list(domains)
    ctx.info1(f"Set {' '.join(domains)}")
    return 0


def cmd_clear_global(ctx, args):
    """domains:clear-global (plugins/domains/subcommands/clear-global, functions domains_clear_global)."""
    with ctx.transaction() as st:
        st["global"]["domains"] = []
    ctx.info1("Clearing global domains", quiet=True)
    return 0


COMMANDS = {
    "domains:report": cmd_report,
    "domains:add": cmd_add,
    "domains:remove": cmd_remove,
    "domains:set": cmd_set,
    "domains:clear": cmd_clear,
    "domains:reset": cmd_reset,
    "domains:enable": cmd_enable,
    "domains:disable": cmd_disable,
    "domains:add-global": cmd_add_global,
    "domains:remove-global": cmd_remove_global,
    "domains:set-global": cmd_set_global,
    "domains:clear-global": cmd_clear_global,
}

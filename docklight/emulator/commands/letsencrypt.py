"""letsencrypt:* commands (community plugin dokku-letsencrypt 0.25.x, bash)."""

import time

from .. import report
from ..core import INFO1, INFO2, VERBOSE, CommandExit, duration, go_json
from ..deploy import proxy_rebuild_lines
from ..props import cmd_property_set

HELP = (
    ("letsencrypt:active <app>", "Verify if letsencrypt is active for an app"),
    ("letsencrypt:auto-renew [<app>]", "Auto-renew app if renewal is necessary"),
    ("letsencrypt:cron-job [--add|--remove]", "Add or remove a cron job that periodically calls auto-renew"),
    ("letsencrypt:disable <app>", "Disable letsencrypt for an app"),
    ("letsencrypt:enable <app>", "Enable or renew letsencrypt for an app"),
    ("letsencrypt:list", "List letsencrypt-secured apps with certificate expiry times"),
    ("letsencrypt:report [<app>] [<flag>]", "Displays a letsencrypt report for one or more apps"),
    ("letsencrypt:set <app> <property> (<value>)", "Set or clear a letsencrypt property for an app"),
)

DAY = 86400
DEFAULT_GRACE = 30 * DAY
DEFAULT_SERVER = "https://acme-v02.api.letsencrypt.org/directory"
PROPS = {p: ("letsencrypt", p) for p in ("email", "server", "dns-provider", "graceperiod", "lego-docker-args")}


def _global(st, prop, default=""):
    return report.global_prop(st, "letsencrypt", prop, default)


def computed(st, app, prop, default=""):
    """Return an app property, falling back to the global one, then *default*."""
    return app["letsencrypt"].get(prop) or _global(st, prop) or default


def grace_seconds(st, app):
    value = computed(st, app, "graceperiod", str(DEFAULT_GRACE))
    return int(value) if str(value).isdigit() else DEFAULT_GRACE


def timediff(seconds):
    """Format a time difference like the plugin (``3d, 4h ago`` when past)."""
    return duration(seconds) + (" ago" if seconds < 0 else "")


# ------------------------------------------------------------------ list/report


def cmd_list(ctx, args):
    st = ctx.state
    now = int(time.time())
    apps = sorted((a for a in st["apps"].values() if a["letsencrypt"]["enabled"] and a["letsencrypt"]["expires_at"]),
                  key=lambda a: a["letsencrypt"]["expires_at"])
    if not ctx.quiet:
        ctx.out("%-6s %-18s %-25s %-25s %-25s" % ("----->", "App name", "Certificate Expiry",
                                                  "Time before expiry", "Time before renewal"))
    for app in apps:
        expires = int(app["letsencrypt"]["expires_at"])
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(expires))
        renewal = expires - grace_seconds(st, app)
        ctx.out("%-25s %-25s %-25s %-25s" % (app["name"], stamp, timediff(expires - now), timediff(renewal - now)))
    return 0


def report_flags(st, app):
    le = app["letsencrypt"]
    flags = {
        "--letsencrypt-active": "true" if le["enabled"] else "false",
        "--letsencrypt-autorenew": "true" if le.get("autorenew", True) else "false",
        "--letsencrypt-expiration": str(le["expires_at"]) if le.get("expires_at") and le["enabled"] else "",
    }
    defaults = {"server": DEFAULT_SERVER, "graceperiod": str(DEFAULT_GRACE)}
    for prop in ("dns-provider", "email", "graceperiod", "server"):
        flags.update(report.triple("letsencrypt", prop, le.get(prop, ""), _global(st, prop), defaults.get(prop, "")))
    return flags


def _report_one(ctx, st, name, info, fmt):
    if name == "--global":
        blank = {"letsencrypt": {"enabled": False, "expires_at": None}}
        flags = {k: v for k, v in report_flags(st, blank).items() if "-global-" in k or "-computed-" in k}
    else:
        flags = report_flags(st, ctx.verify_app_bash(name, st))
    if fmt == "json":
        ctx.out(go_json({k[len("--letsencrypt-"):]: v for k, v in flags.items()}))
    elif info:
        if info not in flags:
            ctx.fail("Invalid flag passed, valid flags: " + ", ".join(sorted(flags)))
        if flags[info] == "":
            ctx.fail("not deployed")
        ctx.out(flags[info])
    else:
        if not ctx.quiet:
            ctx.out(f"{INFO2}{name} letsencrypt information")
        ctx.lines([VERBOSE + "%-30s %-25s" % (report.label(k) + ":", flags[k]) for k in sorted(flags)])


def cmd_report(ctx, args):
    """Own bash report: ``printf "%-30s %-25s"`` lines, --global and --format json."""
    fmt, infos, names = "stdout", [], []
    i = 0
    while i < len(args):
        if args[i] == "--format" and i + 1 < len(args):
            fmt, i = args[i + 1], i + 2
            continue
        (infos if args[i].startswith("--") and args[i] != "--global" else names).append(args[i])
        i += 1
    if fmt not in ("stdout", "json"):
        ctx.fail(f'Invalid --format value specified: "{fmt}"')
    st = ctx.state
    if not names:
        names = sorted(st["apps"])
        if not names:
            ctx.warn(report.NO_APPS)
            return 0
    for name in names:
        _report_one(ctx, st, name, infos[0] if infos else "", fmt)
    return 0


def cmd_active(ctx, args):
    app = ctx.verify_app_bash(args[0] if args else "")
    ctx.out("true" if app["letsencrypt"]["enabled"] else "false")
    return 0


def cmd_set(ctx, args):
    return cmd_property_set(ctx, "letsencrypt", args, PROPS, tuple(PROPS), bash=True)


# ------------------------------------------------------------------ enable/disable


def lego_lines(domain):
    stamp = time.strftime("%Y/%m/%d %H:%M:%S")
    authz = int(time.time()) % 10_000_000_000
    return [VERBOSE + f"{stamp} [INFO] [{domain}] {msg}" for msg in (
        "acme: Obtaining bundled SAN certificate",
        f"AuthURL: https://acme-v02.api.letsencrypt.org/acme/authz-v3/{authz}",
        "acme: Could not find solver for: tls-alpn-01",
        "acme: use http-01 solver",
        "acme: Trying to solve HTTP-01",
        "The server validated our request",
        "acme: Validations succeeded; requesting certificates",
        "Server responded with a certificate.",
    )]


def enable_app(ctx, name, force):
    """Request (or skip) a certificate for *name*; return the exit code."""
    st = ctx.state
    app = ctx.verify_app_bash(name, st)
    ctx.info2(f"Enabling letsencrypt for {name}")
    if not computed(st, app, "email"):
        ctx.warn("ERROR: Cannot request a certificate without an e-mail address!")
        ctx.warn("  please provide your e-mail address using")
        ctx.warn(f"  dokku letsencrypt:set {name} email <e-mail>")
        raise CommandExit(1)
    domains = app["domains"] if app["domains_enabled"] else []
    if not domains:
        ctx.fail(f"No domains detected for {name}")
    le = app["letsencrypt"]
    now = int(time.time())
    if le["enabled"] and le.get("expires_at") and le["expires_at"] - grace_seconds(st, app) > now and not force:
        ctx.info1(f"Certificate is still valid for {name}, skipping certificate request")
        ctx.info1("Pass --force to letsencrypt:enable to request a new certificate anyway")
        return 0
    lines = [f"{INFO1}Enabling ACME proxy for {name}...",
             f"{INFO1}Getting letsencrypt certificate for {name} via HTTP-01"]
    lines += [f"        - Domain '{d}'" for d in domains]
    lines += lego_lines(domains[0])
    ctx.stream(lines)
    if any(d.endswith(".invalid") for d in domains):
        # A domain no ACME server can reach: show the plugin's failure path.
        ctx.info1("Certificate retrieval failed!")
        ctx.warn("Failed to setup letsencrypt")
        ctx.fail("Check log output for further information on failure")
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["letsencrypt"].update(enabled=True, expires_at=now + 90 * DAY)
        rebuild = proxy_rebuild_lines(st, app)
    ctx.stream([f"{INFO1}Certificate retrieved successfully.", f"{INFO1}Installing let's encrypt certificates"]
               + rebuild + [f"{INFO1}Disabling ACME proxy for {name}...", f"{INFO1}Done"])
    return 0


def cmd_enable(ctx, args):
    force = "--force" in args or ctx.force
    names = [a for a in args if a != "--force"]
    if names[:1] == ["--all"]:
        codes = [enable_app(ctx, n, force) for n in sorted(ctx.state["apps"])]
        return max(codes or [0])
    return enable_app(ctx, names[0] if names else "", force)


def cmd_disable(ctx, args):
    name = args[0] if args else ""
    ctx.verify_app_bash(name)
    with ctx.transaction() as st:
        app = st["apps"][name]
        was = app["letsencrypt"]["enabled"]
        app["letsencrypt"].update(enabled=False, expires_at=None)
        rebuild = proxy_rebuild_lines(st, app)
    if not was:
        ctx.fail(f"Letsencrypt not enabled for {name}")
    ctx.stream([f"{INFO1}Disabling letsencrypt for app", f"{VERBOSE}Removing letsencrypt files for {name}"]
               + rebuild + [f"{INFO1}Done"])
    return 0


def renew_one(ctx, name):
    st = ctx.state
    app = st["apps"][name]
    le = app["letsencrypt"]
    if not le["enabled"]:
        ctx.info1(f"Letsencrypt not enabled for {name}")
        return 0
    left = (le.get("expires_at") or 0) - grace_seconds(st, app) - int(time.time())
    if left > 0:
        ctx.verbose(f"{name} still has {duration(left)} days left before renewal")
        return 0
    ctx.info1(f"{name} needs renewal")
    try:
        return enable_app(ctx, name, True)
    except CommandExit as exc:
        return exc.code


def cmd_auto_renew(ctx, args):
    if args:
        ctx.verify_app_bash(args[0])
        return renew_one(ctx, args[0])
    ctx.info2("Auto-renewing all apps...")
    active = [name for name, app in sorted(ctx.state["apps"].items()) if app["letsencrypt"]["enabled"]]
    failed = [name for name in active if renew_one(ctx, name)]
    ctx.info2("Finished auto-renewal")
    if failed:
        ctx.fail("One or more apps failed to have their certificates renewed")
    return 0


def cmd_cron_job(ctx, args):
    flag = args[0] if args else ""
    if flag in ("--add", "--remove"):
        with ctx.transaction() as st:
            st["global"]["letsencrypt"]["cron_job"] = flag == "--add"
        ctx.info1("Added cron job to dokku's crontab." if flag == "--add" else "Removed cron job from dokku's crontab.")
        return 0
    if flag:
        ctx.fail(f"Invalid flag '{flag}', specify --add, --remove, or no flag to display status.")
    enabled = ctx.state["global"]["letsencrypt"].get("cron_job")
    ctx.info2("Auto-renew cron job is enabled" if enabled else "Auto-renew cron job is not enabled")
    ctx.verbose("Use `dokku letsencrypt:cron-job --remove` to disable it" if enabled
                else "Use `dokku letsencrypt:cron-job --add` to enable it")
    return 0


COMMANDS = {
    "letsencrypt:list": cmd_list,
    "letsencrypt:report": cmd_report,
    "letsencrypt:active": cmd_active,
    "letsencrypt:set": cmd_set,
    "letsencrypt:enable": cmd_enable,
    "letsencrypt:disable": cmd_disable,
    "letsencrypt:auto-renew": cmd_auto_renew,
    "letsencrypt:cron-job": cmd_cron_job,
}

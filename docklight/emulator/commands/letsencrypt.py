"""letsencrypt:* commands (community plugin dokku-letsencrypt, bash: command-functions,
internal-functions), with the report in :mod:`docklight.emulator.letsencrypt_report`.

Behaviour follows the installed plugin's version (its plugin:list record, 0.25.1
by default). The ACME side is modelled: a domain ending in ``.invalid`` cannot
be validated, so lego fails for it; any other domain gets a 90-day certificate.
"""

import time

from .. import state as store
from ..core import INFO1, VERBOSE
from ..deploy import proxy_rebuild_lines
from ..letsencrypt_report import (
    cmd_report, computed, computed_dns_provider, computed_graceperiod, computed_server,
    format_timediff, is_active, valid_keys,
)
from ..report import NO_APPS
from ..tls import LE_LIFETIME, installed_cert, letsencrypt_domains, remove

HELP = (
    ("letsencrypt:active <app>", "Verify if letsencrypt is active for an app"),
    ("letsencrypt:auto-renew [<app>]", "Auto-renew app if renewal is necessary"),
    ("letsencrypt:cleanup <app>", "Remove stale certificate directories for app"),
    ("letsencrypt:cron-job [--add|--remove]", "Add, remove, or display the status of the auto-renewal cron job."),
    ("letsencrypt:disable <app>", "Disable letsencrypt for an app"),
    ("letsencrypt:enable <app> [--force]", "Enable or renew letsencrypt for an app (skipped when a valid certificate already exists unless --force is set)"),
    ("letsencrypt:help", "Display letsencrypt help"),
    ("letsencrypt:list", "List letsencrypt-secured apps with certificate expiry times"),
    ("letsencrypt:report [<app>|--global] [<flag>] [--format json]", "Display a letsencrypt report for one or more apps"),
    ("letsencrypt:revoke <app>", "Revoke letsencrypt certificate for app"),
    ("letsencrypt:set <app> <property> (<value>)", "Set or clear a letsencrypt property for an app"),
)

LEGO_EXIT_UNREACHABLE = 1


class EnableFailed(Exception):
    """fn-letsencrypt-enable ended with *code* (the output is already written)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def app_name_arg(ctx, args):
    """Return the app argument, honouring ``--app`` (DOKKU_APP_NAME) like the plugin does."""
    if ctx.opts.app:
        return ctx.opts.app
    return args[0] if args else ""


# ------------------------------------------------------------------ set / active / list


def cmd_set(ctx, args):
    """letsencrypt:set (command-functions cmd-letsencrypt-set): no value check at all."""
    target, key, value = (list(args) + ["", "", ""])[:3]
    keys, message = valid_keys(ctx)
    with ctx.transaction() as st:
        if target != "--global":
            app = ctx.verify_app_bash(target, st)
        if not key:
            ctx.fail("No key specified")
        if key not in keys and not key.startswith("dns-provider-"):
            ctx.fail(message)
        bucket = (st["global"].setdefault("props", {}).setdefault("letsencrypt", {})
                  if target == "--global" else app["letsencrypt"])
        if value:
            bucket[key] = value
        elif key == "email" and target != "--global":
            bucket[key] = ""  # the record keeps its email slot; "" reads as unset
        else:
            bucket.pop(key, None)
    ctx.info2(f"Setting {key} to {value}" if value else f"Unsetting {key}", quiet=True)
    return 0


def cmd_active(ctx, args):
    """letsencrypt:active (command-functions cmd-letsencrypt-active, fn-letsencrypt-is-active)."""
    app = ctx.verify_app_bash(app_name_arg(ctx, args))
    ctx.out(is_active(app))
    return 0


def apps_with_expiry(ctx, st, now):
    """Return (name, expiry, time to expiry, time to renewal) rows (fn-letsencrypt-list-apps-with-expiry).

    With no apps `$(dokku_apps)` prints its failure on stderr and the loop is empty.
    """
    if not st["apps"]:
        ctx.warn(NO_APPS)
    rows = []
    for name in sorted(st["apps"]):
        app = st["apps"][name]
        if is_active(app) == "true":
            expiry = int(installed_cert(app)["expires_at"])
            rows.append((name, expiry, expiry - now, expiry - computed_graceperiod(st, app) - now))
    return rows


def cmd_list(ctx, args):
    """letsencrypt:list (command-functions cmd-letsencrypt-list): rows sorted by expiry."""
    st, now = ctx.state, int(time.time())
    if not ctx.quiet:
        ctx.out("%-6s %-18s %-25s %-25s %-25s" % ("----->", "App name", "Certificate Expiry",
                                                  "Time before expiry", "Time before renewal"))
    for name, expiry, left, renewal in sorted(apps_with_expiry(ctx, st, now), key=lambda r: r[1]):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(expiry))
        ctx.out("%-25s %-25s %-25s %-25s" % (name, stamp, format_timediff(left), format_timediff(renewal)))
    return 0


# ------------------------------------------------------------------ enable


def config_string(st, app):
    """Return what names the lego config directory (fn-letsencrypt-config-string + docker options)."""
    return " ".join([computed_server(st, app), computed(st, app, "email"), computed(st, app, "lego-args"),
                     computed_dns_provider(st, app), computed(st, app, "lego-docker-options")]
                    + letsencrypt_domains(app))


def needs_issue(st, app, now):
    """Return True unless the active certificate is current (fn-letsencrypt-needs-issue)."""
    if is_active(app) != "true":
        return True
    if app["letsencrypt"].get("config") not in (None, config_string(st, app)):
        return True
    expiry = int(installed_cert(app)["expires_at"])
    return expiry - computed_graceperiod(st, app) - now < 0


def ensure_http_port(ctx, st, name, app):
    """Find or add the http:80 mapping HTTP-01 needs (fn-letsencrypt-ensure-http-port)."""
    if computed_dns_provider(st, app):
        return []
    maps = app["ports"] or app["ports_detected"] or ["http:80:5000"]
    if any(m.startswith("http:80:") for m in maps):
        return []
    port = next((m.rsplit(":", 1)[1] for m in maps if m.startswith("http:")), "") or \
        next((m.rsplit(":", 1)[1] for m in maps if m.startswith("https:")), "")
    if not port:
        ctx.warn(f"Cannot enable letsencrypt for {name}: no http or https proxy port mapping was found.")
        ctx.warn("  letsencrypt needs an http listener on port 80 to serve the ACME HTTP-01 challenge.")
        ctx.warn(f"  Add one with: dokku ports:add {name} http:80:<container-port>")
        raise EnableFailed(1)
    app["ports"] = list(app["ports"] or maps) + [f"http:80:{port}"]
    return [f"{INFO1}Adding http:80:{port} port mapping to {name} for ACME HTTP-01 challenge..."]


def lego_lines(domains, failing):
    """Return lego's log lines (indented by the plugin's sed) for a run."""
    stamp = time.strftime("%Y/%m/%d %H:%M:%S")
    first = domains[0]
    lines = [f"{stamp} [INFO] [{', '.join(domains)}] acme: Obtaining bundled SAN certificate"]
    for domain in domains:
        lines += [f"{stamp} [INFO] [{domain}] AuthURL: https://acme-v02.api.letsencrypt.org/acme/authz/"
                  + store.hexid("authz", domain, length=10),
                  f"{stamp} [INFO] [{domain}] acme: use http-01 solver",
                  f"{stamp} [INFO] [{domain}] acme: Trying to solve HTTP-01"]
    if failing:
        lines += [f"{stamp} [INFO] Deactivating auth: https://acme-v02.api.letsencrypt.org/acme/authz/"
                  + store.hexid("authz", first, length=10),
                  f"{stamp} Could not obtain certificates:",
                  "  error: one or more domains had a problem:",
                  f"[{failing}] invalid authorization: acme: error: 400 :: urn:ietf:params:acme:error:dns "
                  f":: DNS problem: NXDOMAIN looking up A for {failing}"]
    else:
        lines += [f"{stamp} [INFO] [{d}] The server validated our request" for d in domains]
        lines += [f"{stamp} [INFO] [{', '.join(domains)}] acme: Validations succeeded; requesting certificates",
                  f"{stamp} [INFO] [{first}] Server responded with a certificate."]
    return [VERBOSE + line for line in lines]


def enable_app(ctx, name, force):
    """Run fn-letsencrypt-enable for *name* (internal-functions); raise EnableFailed on failure."""
    st = ctx.state
    app = ctx.verify_app_bash(name, st)
    domains = letsencrypt_domains(app)
    if not domains:
        ctx.warn(f"No domains detected for {name}")
        raise EnableFailed(1)
    ctx.info2(f"Enabling letsencrypt for {name}")
    if not computed(st, app, "email"):
        ctx.warn("ERROR: Cannot request a certificate without an e-mail address!")
        ctx.warn("  please provide your e-mail address using")
        ctx.warn(f"  dokku letsencrypt:set {name} email <e-mail>")
        raise EnableFailed(1)
    now = int(time.time())
    if not force and not needs_issue(st, app, now):
        ctx.info1(f"Certificate is still valid for {name}, skipping certificate request")
        ctx.info1("Pass --force to letsencrypt:enable to request a new certificate anyway")
        return
    failing = next((d for d in domains if d.endswith(".invalid")), "")
    challenge = "DNS-01" if computed_dns_provider(st, app) else "HTTP-01"
    with ctx.transaction() as st:
        app = st["apps"][name]
        lines = ensure_http_port(ctx, st, name, app)
        lines.append(f"{INFO1}Enabling ACME proxy for {name}...")
        if not app["deployed"]:
            lines.append(f"{INFO1}Setting temporary site")
        lines.append(f"{INFO1}Getting letsencrypt certificate for {name} via {challenge}")
        # configure-and-get-dir logs the domains on stderr
        lines += [("err", f"{VERBOSE} - Domain '{d}'") for d in domains]
        lines += lego_lines(domains, failing)
        if failing:
            lines += [f"{INFO1}Certificate retrieval failed!", f"{INFO1}Disabling ACME proxy for {name}..."]
        else:
            app["letsencrypt"].update(enabled=True, expires_at=now + LE_LIFETIME, domains=domains,
                                      config=config_string(st, app))
            add_https_port(app)
            lines += [f"{INFO1}Certificate retrieved successfully.", f"{INFO1}Installing let's encrypt certificates"]
            lines += proxy_rebuild_lines(st, app)
            lines += [f"{INFO1}Disabling ACME proxy for {name}...", f"{INFO1}Done"]
    ctx.stream(lines)
    if failing:
        ctx.warn("Failed to setup letsencrypt")
        ctx.warn("Check log output for further information on failure")
        raise EnableFailed(LEGO_EXIT_UNREACHABLE)


def add_https_port(app):
    """Add https:443 for each http:80 mapping unless one exists (plugins/ports TriggerPostCertsUpdate)."""
    maps = app["ports"]
    if any(m.startswith("https:443:") for m in maps):
        return
    for m in list(dict.fromkeys(m for m in maps if m.startswith("http:80:"))):
        maps.append("https:443:" + m.rsplit(":", 1)[1])


def cmd_enable(ctx, args):
    """letsencrypt:enable (command-functions cmd-letsencrypt-enable).

    ``--all`` runs apps in order under ``set -e``: the first failure ends it.
    """
    force = any(a in ("--force", "-f") for a in args) or ctx.force
    names = [a for a in args if a not in ("--force", "-f")]
    target = ctx.opts.app or (names[0] if names else "")
    targets = [target]
    if target == "--all":
        targets = sorted(ctx.state["apps"])
        if not targets:
            ctx.warn(NO_APPS)
    try:
        for name in targets:
            enable_app(ctx, name, force)
    except EnableFailed as exc:
        return exc.code
    return 0


def cmd_disable(ctx, args):
    """letsencrypt:disable (command-functions cmd-letsencrypt-disable): removes tls/ either way."""
    name = app_name_arg(ctx, args)
    ctx.verify_app_bash(name)
    with ctx.transaction() as st:
        app = st["apps"][name]
        remove(app)
        rebuild = proxy_rebuild_lines(st, app)
    ctx.stream([f"{INFO1}Disabling letsencrypt for app", f"{VERBOSE}Removing letsencrypt files for {name}",
                f"{VERBOSE}Removing SSL endpoint from {name}"] + rebuild + [f"{INFO1}Done"])
    return 0


# ------------------------------------------------------------------ renewal and cron


def cmd_auto_renew(ctx, args):
    """letsencrypt:auto-renew (command-functions cmd-letsencrypt-auto-renew)."""
    name = app_name_arg(ctx, args)
    st, now = ctx.state, int(time.time())
    if name:
        app = ctx.verify_app_bash(name, st)
        if is_active(app) != "true":
            ctx.info1(f"Letsencrypt not enabled for {name}")
            return 0
        left = int(installed_cert(app)["expires_at"]) - computed_graceperiod(st, app) - now
        if left < 0:
            ctx.info2(f"Auto-renew {name}...")
            try:
                enable_app(ctx, name, False)
            except EnableFailed as exc:
                return exc.code
            return 0
        ctx.verbose(f"{name} still has {format_timediff(left)} left before renewal")
        return 0
    ctx.info2("Auto-renewing all apps...")
    failed = False
    for app_name, _, _, renewal in sorted(apps_with_expiry(ctx, st, now), key=lambda r: r[3]):
        if renewal < 0:
            ctx.info1(f"{app_name} needs renewal")
            try:
                enable_app(ctx, app_name, False)
            except EnableFailed:
                failed = True
        else:
            ctx.verbose(f"{app_name} still has {format_timediff(renewal)} days left before renewal")
    ctx.info2("Finished auto-renewal")
    if failed:
        ctx.fail("One or more apps failed to have their certificates renewed")
    return 0


def cmd_cron_job(ctx, args):
    """letsencrypt:cron-job (command-functions cmd-letsencrypt-cron-job, fn-letsencrypt-cron-job-add/remove)."""
    flag = args[0] if args else ""
    if flag in ("--add", "--remove"):
        with ctx.transaction() as st:
            st["global"]["letsencrypt"]["cron_job"] = flag == "--add"
        ctx.info1("Added cron job to dokku's crontab." if flag == "--add" else "Removed cron job from dokku's crontab.")
        return 0
    if flag:
        ctx.fail(f"Invalid flag '{flag}', specify --add, --remove, or no flag to display status.")
    if ctx.state["global"]["letsencrypt"].get("cron_job"):
        ctx.info2("Auto-renew cron job is enabled", quiet=True)
        ctx.verbose("Run 'dokku letsencrypt:cron-job --remove' to disable.")
    else:
        ctx.info2("Auto-renew cron job is not enabled", quiet=True)
        ctx.verbose("Run 'dokku letsencrypt:cron-job --add' to enable.")
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

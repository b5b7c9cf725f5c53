"""letsencrypt:report and the property reads behind it (dokku-letsencrypt command-functions
cmd-letsencrypt-report/-report-single, internal-functions fn-letsencrypt-computed-*).

The report is the plugin's own bash, not Dokku's Go report: rows keep the
plugin's order (not sorted), labels are ``printf "%-30s %-25s"``, JSON comes
from jq (insertion order, no HTML escapes), and what it accepts depends on the
plugin version:

* 0.24.0 and later: ``--format`` and ``--global`` are parsed anywhere, lego
  options are ``lego-args`` and ``lego-docker-options``; 0.25.0 adds one row per
  ``dns-provider-*`` property, values in clear (only ``dokku report`` masks them);
* before 0.24.0 (0.20-0.23): no ``--format``/``--global`` at all, so
  ``letsencrypt:report APP --format json`` takes ``--format`` as an info flag and
  fails with ``Invalid flag passed``; the lego option is ``lego-docker-args``.
"""

import json

from .core import VERBOSE, CommandExit, parse_version
from .report import NO_APPS, global_prop
from .tls import installed_cert, letsencrypt_domains

DEFAULT_GRACE = 30 * 86400
SERVERS = {"": "https://acme-v02.api.letsencrypt.org/directory",
           "default": "https://acme-v02.api.letsencrypt.org/directory",
           "staging": "https://acme-staging-v02.api.letsencrypt.org/directory"}


def plugin_version(ctx):
    """Return the installed dokku-letsencrypt version as a tuple (as plugin:list prints it)."""
    record = next((p for p in ctx.state["plugins"] if p["name"] == "letsencrypt"), None)
    return parse_version(ctx.plugin_version_of(record)) if record else (0,)


def lego_keys(ctx):
    """Return the lego option properties of this plugin version."""
    return ("lego-args", "lego-docker-options") if plugin_version(ctx) >= (0, 24, 0) else ("lego-docker-args",)


def valid_keys(ctx):
    """Return letsencrypt:set's VALID_KEYS and its refusal message (cmd-letsencrypt-set)."""
    keys = ("dns-provider", "email", "graceperiod", "server") + lego_keys(ctx)
    shown = ", ".join(keys[:1] + ("dns-provider-*",) + keys[1:])
    return keys, f"Invalid key specified, valid keys include: {shown}"


# ------------------------------------------------------------------ property reads


def app_prop(app, prop):
    """Return an app-level property (fn-plugin-property-get-default ... "")."""
    return str(app["letsencrypt"].get(prop) or "") if app is not None else ""


def global_value(st, prop):
    """Return a ``letsencrypt:set --global`` property."""
    return global_prop(st, "letsencrypt", prop)


def computed(st, app, prop):
    """Return the app value, else the global one (fn-letsencrypt-computed-email and kin)."""
    return app_prop(app, prop) or global_value(st, prop)


def computed_dns_provider(st, app):
    """Return fn-letsencrypt-computed-dns-provider: ``none`` at either level means none."""
    value = app_prop(app, "dns-provider")
    if value == "none":
        return ""
    value = value or global_value(st, "dns-provider")
    return "" if value == "none" else value


def computed_graceperiod(st, app):
    """Return fn-letsencrypt-computed-graceperiod in seconds (default 30 days)."""
    value = computed(st, app, "graceperiod")
    return int(value) if value.lstrip("-").isdigit() else DEFAULT_GRACE


def computed_server(st, app):
    """Return fn-letsencrypt-computed-server: ``default``/``staging`` become URLs."""
    value = computed(st, app, "server")
    return SERVERS.get(value, value)


def is_active(app):
    """Return fn-letsencrypt-is-active: the tls certificate is the plugin's own."""
    cert = installed_cert(app)
    return "true" if cert and cert["letsencrypt"] and letsencrypt_domains(app) else "false"


def expiration(app):
    """Return fn-letsencrypt-expiration: the notAfter of tls/server.crt, whoever issued it."""
    cert = installed_cert(app)
    return str(int(cert["expires_at"])) if cert else ""


def format_timediff(seconds):
    """Format like fn-letsencrypt-format-timediff: ``3d, 4h, 5s``, `` ago`` when past, "" for 0."""
    sign, seconds = seconds < 0, abs(int(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return ", ".join(parts) + (" ago" if sign else "")


# ------------------------------------------------------------------ the report


def flag_map(ctx, st, app):
    """Return the ordered ``(flag, value)`` rows of cmd-letsencrypt-report-single."""
    g = lambda prop: global_value(st, prop)  # noqa: E731
    rows = [("--letsencrypt-active", is_active(app) if app else "false"),
            ("--letsencrypt-autorenew", "true" if st["global"]["letsencrypt"].get("cron_job") else "false")]
    rows += [("--letsencrypt-computed-dns-provider", computed_dns_provider(st, app)),
             ("--letsencrypt-global-dns-provider", g("dns-provider")),
             ("--letsencrypt-dns-provider", app_prop(app, "dns-provider"))]
    rows += triple(st, app, "email")
    rows.append(("--letsencrypt-expiration", expiration(app) if app else ""))
    rows += [("--letsencrypt-computed-graceperiod", str(computed_graceperiod(st, app))),
             ("--letsencrypt-global-graceperiod", g("graceperiod")),
             ("--letsencrypt-graceperiod", app_prop(app, "graceperiod"))]
    for prop in lego_keys(ctx):
        rows += triple(st, app, prop)
    rows += [("--letsencrypt-computed-server", computed_server(st, app)),
             ("--letsencrypt-global-server", g("server")),
             ("--letsencrypt-server", app_prop(app, "server"))]
    if plugin_version(ctx) >= (0, 25, 0):
        rows += dns_provider_rows(st, app)
    return rows


def triple(st, app, prop):
    """Return the computed/global/app rows of one plain property."""
    return [(f"--letsencrypt-computed-{prop}", computed(st, app, prop)),
            (f"--letsencrypt-global-{prop}", global_value(st, prop)),
            (f"--letsencrypt-{prop}", app_prop(app, prop))]


def dns_provider_rows(st, app):
    """Return fn-letsencrypt-report-add-dns-provider-keys rows (unmasked: no SANITIZE here)."""
    glob = {k: v for k, v in st["global"].get("props", {}).get("letsencrypt", {}).items()
            if k.startswith("dns-provider-")}
    own = {k: v for k, v in (app["letsencrypt"].items() if app else ()) if k.startswith("dns-provider-")}
    rows = []
    for key in sorted(set(glob) | set(own)):
        value = own.get(key) or glob.get(key, "")
        rows += [(f, v) for f, v in ((f"--letsencrypt-computed-{key}", value),
                                     (f"--letsencrypt-global-{key}", glob.get(key, "")),
                                     (f"--letsencrypt-{key}", own.get(key, ""))) if v]
    return rows


def jq_object(rows):
    """Serialise like ``jq -c``: insertion order, only control characters escaped."""
    data = {flag[len("--letsencrypt-"):]: value for flag, value in rows}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("\x7f", "\\u007f")


def report_single(ctx, st, name, info, fmt, new_style):
    """Print one report (cmd-letsencrypt-report-single)."""
    app = None if name == "--global" else ctx.verify_app_bash(name, st)
    rows = flag_map(ctx, st, app)
    if name == "--global":
        rows = [(f, v) for f, v in rows if "-global-" in f]  # fn-letsencrypt-report-filter-global
    if new_style and fmt != "stdout" and info:
        ctx.fail("--format flag cannot be specified when specifying an info flag")
    if new_style and fmt == "json":
        ctx.out(jq_object(rows))
        return
    if not info:
        if not ctx.quiet:
            ctx.out("=====> " + ("global" if name == "--global" else name) + " letsencrypt information")
        for flag, value in rows:
            key = flag[2:].replace("-", " ") + ":"
            ctx.out(VERBOSE + "%-30s %-25s" % (key[:1].upper() + key[1:], value))
        return
    match = [v for f, v in rows if f == info]
    if not match:
        ctx.fail("Invalid flag passed, valid flags:" + "".join(" " + f for f, _ in rows))
    if not match[0]:
        ctx.fail("not deployed")
    ctx.out(match[0])


def cmd_report(ctx, args):
    """letsencrypt:report (command-functions cmd-letsencrypt-report, fn-letsencrypt-report-parse-args)."""
    new_style = plugin_version(ctx) >= (0, 24, 0)
    fmt, is_global, rest = "stdout", False, []
    i = 0
    while i < len(args):
        if new_style and args[i] == "--format":
            fmt = args[i + 1] if i + 1 < len(args) else ""
            i += 2
            continue
        if new_style and args[i] == "--global":
            is_global = True
        else:
            rest.append(args[i])
        i += 1
    name, info = (rest + ["", ""])[:2]
    if name.startswith("--"):
        name, info = "", name
    if is_global:
        name = "--global"
    st = ctx.state
    if not st["apps"]:
        ctx.fail(NO_APPS)  # INSTALLED_APPS=$(dokku_apps) runs first, under set -e
    if name:
        report_single(ctx, st, name, info, fmt, new_style)
        return 0
    for app_name in sorted(st["apps"]):
        try:
            report_single(ctx, st, app_name, info, fmt, new_style)
        except CommandExit:
            pass  # `| tee || true`: a failing app does not stop the loop
    return 0

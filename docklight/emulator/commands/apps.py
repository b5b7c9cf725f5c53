"""apps:* commands (Go plugin `apps`: plugins/apps/subcommands.go, report.go, apps.go)."""

import copy
import time

from .. import report
from .. import state as store
from ..core import BAD_APP_NAME, NEW_APP_RE, NO_APP, CommandExit, Flag, go_json, parse_flags
from ..deploy import build_lines, deploy_lines, restart_containers
from ..props import cmd_property_set
from ..report import ReportSpec, global_prop
from .domains import default_vhosts, rename_vhosts

HELP = (
    ("apps:clone <old-app> <new-app>", "Clones an app"),
    ("apps:create <app>", "Create a new app"),
    ("apps:destroy <app>", "Permanently destroy an app"),
    ("apps:exists <app>", "Checks if an app exists"),
    ("apps:list", "List your apps"),
    ("apps:lock <app>", "Locks an app for deployment"),
    ("apps:locked <app>", "Checks if an app is locked for deployment"),
    ("apps:rename <old-app> <new-app>", "Rename an app"),
    ("apps:report [<app>] [<flag>]", "Display report about an app"),
    ("apps:set <app>|--global <key> <value>", "Set or clear an apps property"),
    ("apps:unlock <app>", "Unlocks an app for deployment"),
)


def cmd_list(ctx, args):
    """List apps, optionally as JSON (0.38.21+)."""
    flags = [Flag("format", "string", default="stdout", usage="format to output the app list in")]
    values, _ = parse_flags(ctx, "apps:list", args, flags if ctx.version >= (0, 38, 21) else [])
    names = sorted(ctx.state["apps"])
    fmt = values.get("format", "stdout")
    if fmt == "json":
        ctx.out(go_json(names))
        return 0
    if fmt != "stdout":
        ctx.fail("Invalid format specified, supported formats: json, stdout")
    ctx.info2("My Apps", quiet=True)
    if not names:
        ctx.warn(report.NO_APPS)
    ctx.lines(names)
    return 0


def validate_new_name(ctx, name, st):
    """Apply the rules for a new app name (reference 0.5)."""
    if not name:
        ctx.fail(NO_APP)
    if not NEW_APP_RE.fullmatch(name):
        ctx.fail(BAD_APP_NAME)
    if name in st["apps"]:
        ctx.fail("Name is already taken")


def default_domains(st, name):
    """Return the vhosts a new app gets (plugins/domains/post-create -> domains_setup)."""
    return default_vhosts(st, name)


def cmd_create(ctx, args):
    """Create an app."""
    _, pos = parse_flags(ctx, "apps:create", args)
    name = pos[0] if pos else ""
    with ctx.transaction() as st:
        validate_new_name(ctx, name, st)
        app = store.make_app(name, deployed=False, domains=default_domains(st, name),
                             created_at=int(time.time()))
        # domains_setup without a global vhost runs disable_app_vhost.
        app["domains_enabled"] = bool(app["domains"])
        st["apps"][name] = app
    ctx.info1(f"Creating {name}...", quiet=True)
    return 0


def read_confirmation(ctx):
    """Read one word like Go's fmt.Scanln; return it or fail with Scanln's error."""
    line = ctx.stdin.readline()
    if line == "":
        ctx.fail("EOF")
    words = line.split()
    if not words:
        ctx.fail("unexpected newline")
    if len(words) > 1:
        ctx.fail("expected newline")
    return words[0]


def confirm_destroy(ctx, name, kind="app"):
    """Ask for the app name like AskForDestructiveConfirmation."""
    ctx.warn("WARNING: Potentially Destructive Action")
    ctx.warn(f"This command will destroy {kind} {name}.")
    ctx.warn(f'To proceed, type "{name}"')
    ctx.write("> ")
    if read_confirmation(ctx) != name:
        ctx.err("Confirmation did not match test. Aborted.")
        raise CommandExit(1)


def linked_services(st, name):
    """Return (plugin, service) pairs linked to app *name*."""
    return [(plugin, svc) for plugin, services in sorted(st["services"].items())
            for svc, rec in sorted(services.items()) if name in rec["links"]]


def cmd_destroy(ctx, args):
    """Destroy an app (asks for confirmation unless forced)."""
    values, pos = parse_flags(ctx, "apps:destroy", args, [Flag("force", usage="force destroy without asking for confirmation")])
    name = pos[0] if pos else ""
    ctx.verify_app(name)
    if not (values["force"] or ctx.force):
        confirm_destroy(ctx, name)
    with ctx.transaction() as st:
        ctx.verify_app(name, st)
        services = linked_services(st, name)
        for plugin, svc in services:
            st["services"][plugin][svc]["links"].remove(name)
        del st["apps"][name]
    ctx.info1(f"Destroying {name} (including all add-ons)")
    ctx.lines([f"       Unlinking from {svc}" for _, svc in services])
    ctx.stream(["-----> Cleaning up...", "-----> Retiring old containers and images"])
    return 0


def _copy_app(st, old, new, clone=False):
    """Return a copy of app *old* under the name *new*.

    Rename copies the VHOST file and renames the global-vhost subdomains
    (plugins/domains/post-app-rename-setup); clone drops the file and sets up
    the defaults again (post-app-clone-setup), so custom domains stay behind.
    """
    app = copy.deepcopy(st["apps"][old])
    app["name"] = new
    if clone:
        app["domains"] = default_domains(st, new)
        app["domains_enabled"] = app["domains_enabled"] and bool(app["domains"])
    else:
        app["domains"] = rename_vhosts(st, app["domains"], old, new)
    return app


def _rebuild(ctx, st, name, app):
    lines = build_lines(name, app) + deploy_lines(st, name, app)
    restart_containers(app)
    return lines


def cmd_rename(ctx, args):
    """Rename an app (rebuilding it if deployed)."""
    values, pos = parse_flags(ctx, "apps:rename", args, [Flag("skip-deploy", usage="skip deploy of the renamed app")])
    old, new = (pos + ["", ""])[:2]
    lines = []
    with ctx.transaction() as st:
        ctx.verify_app(old, st)
        validate_new_name(ctx, new, st)
        app = _copy_app(st, old, new)
        del st["apps"][old]
        st["apps"][new] = app
        for services in st["services"].values():
            for rec in services.values():
                rec["links"] = [new if a == old else a for a in rec["links"]]
        if app["deployed"] and not values["skip-deploy"]:
            lines = _rebuild(ctx, st, new, app)
    ctx.info1(f"Renaming {old} to {new}", quiet=True)
    ctx.stream(lines)
    return 0


def cmd_clone(ctx, args):
    """Clone an app (rebuilding the copy if the source is deployed)."""
    values, pos = parse_flags(ctx, "apps:clone", args, [
        Flag("skip-deploy", usage="skip deploy of the cloned app"),
        Flag("ignore-existing", usage="exit 0 if the new app already exists")])
    old, new = (pos + ["", ""])[:2]
    lines = []
    with ctx.transaction() as st:
        ctx.verify_app(old, st)
        if values["ignore-existing"] and new in st["apps"]:
            ctx.warn("Name is already taken")
            return 0
        validate_new_name(ctx, new, st)
        app = _copy_app(st, old, new, clone=True)
        app["created_at"] = int(time.time())
        st["apps"][new] = app
        if app["deployed"] and not values["skip-deploy"]:
            lines = _rebuild(ctx, st, new, app)
    ctx.info1(f"Cloning {old} to {new}", quiet=True)
    ctx.stream(lines)
    return 0


def cmd_exists(ctx, args):
    """apps:exists (plugins/apps/subcommands.go CommandExists -> appExists).

    appExists is common.VerifyAppName, so a missing app fails with its
    AppDoesNotExist error: "App NAME does not exist" and exit code 20.
    """
    _, pos = parse_flags(ctx, "apps:exists", args)
    ctx.verify_app(pos[0] if pos else "")
    return 0


def cmd_lock(ctx, args):
    """apps:lock (plugins/apps/subcommands.go CommandLock): create the deploy lock."""
    _, pos = parse_flags(ctx, "apps:lock", args)
    with ctx.transaction() as st:
        app = ctx.verify_app(pos[0] if pos else "", st)
        app["locked"] = True
    ctx.info1("Deploy lock created")
    return 0


def cmd_locked(ctx, args):
    """apps:locked (plugins/apps/subcommands.go CommandLocked): exit 0 only when locked."""
    _, pos = parse_flags(ctx, "apps:locked", args)
    app = ctx.verify_app(pos[0] if pos else "")
    if not app["locked"]:
        ctx.fail("Deploy lock does not exist")
    if not ctx.quiet:
        ctx.out("Deploy lock exists")
    return 0


APP_PROPS = {"deploy-source": ("deploy_source",), "deploy-source-metadata": ("deploy_source_metadata",),
             "disable-autocreation": ("disable_autocreation",)}
GLOBAL_APP_PROPS = ("disable-autocreation",)


def cmd_set(ctx, args):
    """apps:set (plugins/apps/subcommands.go CommandSet; apps.go DefaultProperties).

    disable-autocreation is refused for an app before the app is even looked
    up; the rest is common.CommandPropertySet, which refuses the two
    deploy-source properties with --global.
    """
    values, pos = parse_flags(ctx, "apps:set", args, [Flag("global", usage="--global: set a global property")])
    prop = pos[1] if len(pos) > 1 and not values["global"] else ""
    if not values["global"] and prop == "disable-autocreation":
        ctx.fail("Property can only be specified globally")
    return cmd_property_set(ctx, "apps", args, APP_PROPS, GLOBAL_APP_PROPS)


def cmd_unlock(ctx, args):
    """apps:unlock (plugins/apps/subcommands.go CommandUnlock).

    The warnings come only when the lock file exists; removing a lock that
    is not there fails os.Remove, so an unlocked app exits 1 with "Unable
    to remove deploy lock".
    """
    _, pos = parse_flags(ctx, "apps:unlock", args)
    with ctx.transaction() as st:
        app = ctx.verify_app(pos[0] if pos else "", st)
        was_locked = app["locked"]
        app["locked"] = False
    if not was_locked:
        ctx.fail("Unable to remove deploy lock")
    ctx.warn("A deploy may be in progress.")
    ctx.warn("Removing the app lock will not stop in progress deploys.")
    ctx.info1("Deploy lock removed")
    return 0


def report_flags(ctx, st, name, app, info):
    """Return the apps:report values (plugins/apps/report.go ReportSingleApp).

    reportGlobalDisableAutocreation is a plain PropertyGet: empty, not
    "false", while the property is unset.
    """
    return {
        "--app-created-at": str(app["created_at"]) if app["created_at"] is not None else "",
        "--app-deploy-source": app["deploy_source"],
        "--app-deploy-source-metadata": app["deploy_source_metadata"],
        "--app-dir": f"/home/dokku/{name}",
        "--app-global-disable-autocreation": global_prop(st, "apps", "disable-autocreation"),
        "--app-locked": "true" if app["locked"] else "false",
    }


SPEC = ReportSpec("apps", "app", report_flags, legacy=True,
                  global_keys=("--app-global-disable-autocreation",))


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


COMMANDS = {
    "apps:list": cmd_list,
    "apps:create": cmd_create,
    "apps:destroy": cmd_destroy,
    "apps:rename": cmd_rename,
    "apps:clone": cmd_clone,
    "apps:exists": cmd_exists,
    "apps:lock": cmd_lock,
    "apps:locked": cmd_locked,
    "apps:set": cmd_set,
    "apps:unlock": cmd_unlock,
    "apps:report": cmd_report,
}

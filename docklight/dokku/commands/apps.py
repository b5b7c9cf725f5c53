"""Apps: list, create, destroy, rename, lock; processes and scaling; following logs."""

from __future__ import annotations

from docklight.dokku import validators
from docklight.dokku.command import Command
from docklight.dokku.commands.allowlist import _command, allows


# --- apps -------------------------------------------------------------------

@allows("apps:list")
def apps_list(*, json: bool = False) -> Command:
    """List apps."""
    return _command("apps:list", *(["--format", "json"] if json else []))


@allows("apps:create")
def apps_create(name: str) -> Command:
    """Create an app."""
    name = validators.new_app_name(name)
    return _command("apps:create", name, app=name, mutates=True)


@allows("apps:destroy")
def apps_destroy(app: str) -> Command:
    """Destroy an app and its add-on links (the caller confirms by typed name)."""
    app = validators.app_name(app)
    return _command("apps:destroy", app, "--force", app=app, mutates=True, long=True)


@allows("apps:rename")
def apps_rename(app: str, new_name: str) -> Command:
    """Rename an app."""
    app = validators.app_name(app)
    new_name = validators.new_app_name(new_name, field="new_name")
    return _command("apps:rename", app, new_name, app=app, mutates=True, long=True)


@allows("apps:unlock")
def apps_unlock(app: str) -> Command:
    """Remove a stale deploy lock."""
    app = validators.app_name(app)
    return _command("apps:unlock", app, app=app, mutates=True)


@allows("apps:lock")
def apps_lock(app: str) -> Command:
    """Lock an app against deploys."""
    app = validators.app_name(app)
    return _command("apps:lock", app, app=app, mutates=True)

# --- processes --------------------------------------------------------------

@allows("ps:start", "ps:stop", "ps:restart", "ps:rebuild")
def ps_action(action: str, app: str, process_type: str | None = None) -> Command:
    """Start, stop, restart or rebuild an app (restart may name one process)."""
    action = validators.choice(action, ("start", "stop", "restart", "rebuild"), "action", "Action")
    app = validators.app_name(app)
    args = [f"ps:{action}", app]
    if process_type and action == "restart":
        args.append(validators.process_type(process_type))
    return _command(*args, app=app, mutates=True, long=True)


@allows("ps:scale")
def ps_scale(app: str, counts: dict[str, object] | None = None, *, json: bool = False,
             skip_deploy: bool = False) -> Command:
    """Show the scale of an app, or set counts per process type."""
    app = validators.app_name(app)
    if not counts:
        return _command("ps:scale", app, *(["--format", "json"] if json else []), app=app)
    pairs = []
    for proc, n in counts.items():
        proc = validators.process_type(proc, field=f"count-{proc}")
        pairs.append(f"{proc}={validators.count(n, field=f'count-{proc}')}")
    extra = ["--skip-deploy"] if skip_deploy else []
    return _command("ps:scale", *extra, app, *pairs, app=app, mutates=True, long=True)

# --- logs -------------------------------------------------------------------

@allows("logs")
def logs(app: str, *, num: int = 100, process_type: str | None = None,
         tail: bool = False) -> Command:
    """Print (or follow) an app's logs. Long options only: echo eats `-n`."""
    app = validators.app_name(app)
    num = validators.count(num, field="lines", maximum=10000)
    args = ["logs", app, "--num", str(num)]
    if process_type:
        args += ["--ps", validators.process_type(process_type)]
    if tail:
        args.append("--tail")
    return _command(*args, app=app, long=tail, timeout=0 if tail else None)

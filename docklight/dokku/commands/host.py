"""Host-wide commands (version, report, cleanup, repo) and every plugin's :report."""

from __future__ import annotations

from docklight.dokku import validators
from docklight.dokku.command import Command
from docklight.dokku.commands.allowlist import ALLOWED, REPORT_PLUGINS, _command, allows


# --- host -------------------------------------------------------------------

@allows("version")
def version(*, root: bool = False) -> Command:
    """Print the Dokku version (on the root target when root)."""
    return _command("version", timeout=15, root=root)


@allows("report")
def host_report(*, root: bool = False) -> Command:
    """Print the host's vitals: memory, disks, Docker, versions and plugins.

    Through the root target when there is one (root=True), else as dokku.
    """
    return _command("report", root=root, timeout=60)


@allows("cleanup")
def cleanup(app: str | None = None) -> Command:
    """Remove exited/dead containers and dangling images (of one app, or all)."""
    args = ["cleanup"] + ([validators.app_name(app)] if app else [])
    return _command(*args, app=app, mutates=True, long=True)


REPO_ACTIONS = ("gc", "purge-cache")


@allows("repo:gc", "repo:purge-cache",
        doc="Garbage-collect an app's repo or purge its build cache.")
def repo_action(action: str, app: str) -> Command:
    """Build `repo:gc <app>` or `repo:purge-cache <app>`."""
    action = validators.choice(action, REPO_ACTIONS, "action", "repository action")
    app = validators.app_name(app)
    return _command(f"repo:{action}", app, app=app, mutates=True, long=True)

# --- reports ----------------------------------------------------------------

for _plugin in REPORT_PLUGINS:
    ALLOWED[f"{_plugin}:report"] = f"Show the {_plugin} report of one or all apps."


def report(plugin: str, app: str | None = None, *, json: bool = False,
           info_flag: str | None = None, global_: bool = False) -> Command:
    """Build `<plugin>:report [app|--global] [--format json|--<info-flag>]`."""
    if plugin not in REPORT_PLUGINS:
        raise ValueError(f"{plugin}:report is not allowlisted")
    args = [f"{plugin}:report"]
    if global_:
        args.append("--global")
    elif app is not None:
        args.append(validators.app_name(app))
    if info_flag is not None:
        # Info flags come from our code, never from a form.
        if not info_flag.startswith("--") or not all(
            c.isalnum() or c in "-." for c in info_flag[2:]
        ):
            raise ValueError(f"bad info flag {info_flag!r}")
        args.append(info_flag)
    elif json:
        args += ["--format", "json"]
    return _command(*args, app=app)

"""Deploy tab: git (sync, deploy branch), builder, buildpacks and zero-downtime checks.

Credentials typed into a repository URL (https://user:token@host/repo.git)
travel to Dokku once and go nowhere else: the builder shows and records the
command with *** in their place and scrubs them from the output, and every
page this module renders drops them from the form it echoes back.
"""

from __future__ import annotations

import re
import urllib.parse

from flask import current_app, g, request

from docklight.dokku import commands, parsers
from docklight.dokku.errors import CommandFailed
from docklight.dokku.validators import ValidationError
from docklight.views import deploy_help
from docklight.views.answers import FieldNames, run, start_job
from docklight.views.app_page import (app_report, bp, failure, forget_app_report, form_error,
                                      render_tab, write_and_answer)

TAB = "deploy"
TEMPLATE = "app/_deploy.html"
CHECK_ACTIONS = {"enable": "Enable", "disable": "Disable", "skip": "Skip"}


def without_credentials(value: str) -> str:
    """Return a typed repository URL with anything that may be a credential removed.

    Works on input that failed validation too, so it cuts generously: for
    scheme://... everything between "://" and the last "@"; for the scp form
    a user part holding ":".
    """
    scheme, sep, rest = value.partition("://")
    if sep:
        return scheme + sep + rest.rpartition("@")[2] if "@" in rest else value
    user, at, host = value.rpartition("@")
    return host if at and ":" in user else value


def _form() -> dict:
    """Return the posted form as it may be echoed back (no credentials)."""
    form = request.form.to_dict(flat=True)
    for name in ("repository", "ref"):  # a URL pasted into the ref field too
        if name in form:
            form[name] = without_credentials(form[name])
    return form


def _prop(report: dict, prefix: str, name: str) -> str:
    """Return one report property, JSON key or prefixed (text/legacy) key."""
    for key in (name, f"{prefix}-{name}"):
        value = (report.get(key) or "").strip()
        if value:
            return value
    return ""


def _context() -> dict:
    """Read git, builder, buildpacks and checks reports."""
    builder = app_report("builder")
    return {
        "git": parsers.read_report("git", app_report("git")),
        "builder": {
            "selected": _prop(builder, "builder", "selected"),
            "computed_selected": _prop(builder, "builder", "computed-selected"),
            "build_dir": _prop(builder, "builder", "build-dir"),
            "computed_build_dir": _prop(builder, "builder", "computed-build-dir"),
        },
        "builders": commands.BUILDERS,
        "buildpacks": parsers.read_report("buildpacks", app_report("buildpacks")),
        "checks": parsers.read_report("checks", app_report("checks")),
        **_help(),
    }


def _help() -> dict:
    """Read how to push to the app, its URLs and Docklight's own deploys of it."""
    domains = parsers.read_report("domains", app_report("domains"))
    ports = parsers.read_report("ports", app_report("ports"))
    certs = parsers.read_report("certs", app_report("certs"))
    proxy = parsers.read_report("proxy", app_report("proxy"))
    host = urllib.parse.urlsplit("//" + request.host).hostname or "localhost"
    host = f"[{host}]" if ":" in host else host
    return {
        "remote": deploy_help.git_remote(current_app.config["SETTINGS"].dokku.target, host,
                                         g.app),
        "urls": deploy_help.app_urls(domains.app_vhosts if domains.app_enabled else (),
                                     domains.global_vhosts if domains.global_enabled else (),
                                     ports.configured or ports.detected, certs.enabled,
                                     proxy.enabled),
        "deploys": deploy_help.deploy_history(g.app),
    }


def _refused(exc: ValidationError, fields: FieldNames = None):
    """Show the form again with exc next to its field, credentials left out."""
    exc.message = without_credentials(exc.message)  # some messages quote the input
    return form_error(TAB, TEMPLATE, exc, fields, _form(), **_context())


def _write(build, fields: FieldNames = None):
    """Build a command from the form (may raise ValidationError), run it, answer."""
    try:
        command = build()
    except ValidationError as exc:
        return _refused(exc, fields)
    return write_and_answer(command, TAB, TEMPLATE, _context, form=_form())


@bp.get("/deploy")
def deploy():
    """Show how the app is deployed: git, builder, buildpacks, checks."""
    return render_tab(TAB, TEMPLATE, **_context())


@bp.post("/git/sync")
def git_sync_POST():
    """Fetch a remote repository and build it (`git:sync --build`) as a job.

    A job because it clones, builds and deploys: minutes, with live output.
    """
    ref = request.form.get("ref", "").strip() or None
    try:
        command = commands.git_sync(g.app, request.form.get("repository", ""), ref)
    except ValidationError as exc:
        return _refused(exc)
    # The title is stored and shown: it names the repository without credentials.
    shown = command.shown[command.args.index("--build") + 2]
    return start_job(command, f"Sync {g.app} from {shown}" + (f" ({ref})" if ref else ""))


@bp.post("/git/deploy-branch")
def deploy_branch_POST():
    """Set the branch Dokku deploys on push (`git:set app deploy-branch X`)."""
    return _write(lambda: commands.git_set(g.app, "deploy-branch",
                                           request.form.get("deploy_branch", "")),
                  {"value": "deploy_branch"})


@bp.post("/builder/selected")
def builder_selected_POST():
    """Choose the builder, or let Dokku detect it (`builder:set app selected [X]`)."""
    return _write(lambda: commands.builder_set(g.app, "selected",
                                               request.form.get("builder", "").strip()),
                  {"value": "builder"})


@bp.post("/builder/build-dir")
def builder_build_dir_POST():
    """Set the build directory of a monorepo, or reset it (`builder:set app build-dir [X]`)."""
    return _write(lambda: commands.builder_set(g.app, "build-dir",
                                               request.form.get("build_dir", "").strip()),
                  {"value": "build_dir"})


@bp.post("/buildpacks/add")
def buildpacks_add_POST():
    """Add a buildpack, optionally at a 1-based position (`buildpacks:add [--index N]`)."""
    return _write(lambda: commands.buildpacks_change(
        "add", g.app, request.form.get("url", ""), request.form.get("index", "").strip()))


@bp.post("/buildpacks/remove")
def buildpacks_remove_POST():
    """Remove the buildpack at a position (`buildpacks:remove --index N app`).

    The page shows URLs with their credentials as ***, so it posts the
    position and the URL as shown, never the URL itself. The list is read
    again first: when the entry at that position no longer shows as it did,
    the list changed since the page was loaded and nothing is removed.
    """
    index = request.form.get("index", "").strip()
    shown = request.form.get("shown", "")
    try:
        command = commands.buildpacks_remove_at(g.app, index)
        position = int(command.args[2])
        current = parsers.parse_buildpacks_list(run(commands.buildpacks_list(g.app)).stdout)
    except ValidationError as exc:
        return _refused(exc, {"index": "buildpack"})
    except CommandFailed as exc:
        return failure(TAB, TEMPLATE, exc, form=_form(), **_context())
    if position > len(current) or current[position - 1] != shown:
        forget_app_report("buildpacks")
        return _refused(ValidationError(
            "buildpack", f"The buildpack list changed since this page was loaded: position "
                         f"{position} no longer holds {shown or 'that buildpack'}. Nothing was "
                         "removed; the list below is current."))
    return write_and_answer(command, TAB, TEMPLATE, _context, form=_form())


@bp.post("/buildpacks/clear")
def buildpacks_clear_POST():
    """Remove every buildpack setting; Dokku detects them again (`buildpacks:clear`)."""
    return _write(lambda: commands.buildpacks_clear(g.app))


def _process_types(text: str) -> list[str]:
    """Split a comma or space separated list of process types."""
    return [p for p in re.split(r"[\s,]+", text or "") if p]


@bp.post("/checks")
def checks_POST():
    """Enable, disable or skip zero-downtime checks, for all or some process types."""
    return _write(lambda: commands.checks_change(
        request.form.get("action", ""), g.app,
        _process_types(request.form.get("process_types", ""))), {"action": "process_types"})


@bp.post("/checks/run")
def checks_run_POST():
    """Run the app's healthchecks now (`checks:run`) as a job.

    A job because each check may wait and retry (up to its timeout times
    its attempts) for every container.
    """
    process_type = request.form.get("run_process_type", "").strip() or None
    try:
        command = commands.checks_run(g.app, process_type)
    except ValidationError as exc:
        return _refused(exc, {"process_type": "run_process_type"})
    return start_job(command, f"Run checks of {g.app}")

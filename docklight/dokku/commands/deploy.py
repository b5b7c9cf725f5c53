"""Deploying: git:sync and git settings, the builder, buildpacks and checks."""

from __future__ import annotations

import re
import urllib.parse

from docklight.dokku import buildpack_url, validators
from docklight.dokku.command import SECRET, Command
from docklight.dokku.commands.allowlist import (_GIT_WIRE_SAFE, BUILDERS, CHECK_ACTIONS, _command,
                                               allows)
from docklight.dokku.validators import ValidationError


# --- deploy: git, builder, buildpacks, checks --------------------------------

GIT_SYNC_SCHEMES = ("https", "ssh")


def _without_credentials(url: str) -> str:
    """Return url with any user:password@ replaced by ***@ (for display)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme and "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[1]
        return urllib.parse.urlunsplit(parts._replace(netloc=f"{SECRET}@{host}"))
    return url


def _sync_url(value: str) -> str:
    """Validate a git:sync remote: https://, ssh:// or git@host:path, wire-safe.

    Plain http:// and git:// are refused: both send the code (and any
    credentials in the URL) in clear text. An '@' after the host would make
    the user:password part ambiguous, and so impossible to hide reliably.
    """
    if isinstance(value, str) and "://" in value and \
            value.strip().split("://", 1)[0].lower() not in GIT_SYNC_SCHEMES:
        raise ValidationError(
            "repository", "Repository must be an https://, ssh:// or git@host:path URL.")
    url = validators.git_url(value, field="repository")
    if not _GIT_WIRE_SAFE.match(url):
        raise ValidationError(
            "repository", "Repository URL may hold only letters, digits and @%+=:,./_- "
            "(Dokku passes git commands on without quoting).")
    if validators.SCP_URL_RE.match(url):
        return url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in GIT_SYNC_SCHEMES:
        raise ValidationError(
            "repository", "Repository must be an https://, ssh:// or git@host:path URL.")
    try:
        parts.port  # noqa: B018 - raises on a non-numeric port
    except ValueError:
        raise ValidationError("repository", "Repository URL has an invalid port.") from None
    if "@" in url.split("://", 1)[1].partition("/")[2]:
        raise ValidationError(
            "repository", "Repository URL may hold '@' only in user:password@host.")
    return url


@allows("git:sync")
def git_sync(app: str, repository: str, ref: str | None = None, *, build: bool = True) -> Command:
    """Fetch a repository into an app and (by default) build it."""
    app = validators.app_name(app)
    repository = _sync_url(repository)
    args = ["git:sync"] + (["--build"] if build else []) + [app, repository]
    if ref:
        args.append(validators.git_ref(ref))
    shown = [_without_credentials(a) if a == repository else a for a in args]
    secrets = ()
    userinfo = urllib.parse.urlsplit(repository).netloc.rpartition("@")[0]
    if userinfo and "://" in repository:
        secrets = (userinfo,) + tuple(p for p in userinfo.split(":") if len(p) >= 4)
        # git may print the URL percent-decoded.
        decoded = urllib.parse.unquote(userinfo)
        if decoded != userinfo:
            secrets += (decoded,) + tuple(p for p in decoded.split(":") if len(p) >= 4)
    return _command(*args, shown=shown, app=app, mutates=True, long=True,
                    secrets=secrets)


@allows("git:set")
def git_set(app: str, prop: str, value: str) -> Command:
    """Set a git property (deploy-branch, keep-git-dir)."""
    app = validators.app_name(app)
    prop = validators.choice(prop, ("deploy-branch", "keep-git-dir"), "property", "Property")
    if prop == "deploy-branch":
        value = validators.git_ref(value, field="value")
    else:
        value = validators.choice(value, ("true", "false"), "value", "Value")
    return _command("git:set", app, prop, value, app=app, mutates=True)


_BUILD_DIR_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")


@allows("builder:set")
def builder_set(app: str, prop: str, value: str = "") -> Command:
    """Select the builder or the build directory (empty value resets)."""
    app = validators.app_name(app)
    prop = validators.choice(prop, ("selected", "build-dir"), "property", "Property")
    args = ["builder:set", app, prop]
    if value:
        if prop == "selected":
            args.append(validators.choice(value, BUILDERS, "value", "Builder"))
        else:
            text = validators._text("value", value, "Build directory")
            if not _BUILD_DIR_RE.match(text) or ".." in text.split("/"):
                raise ValidationError(
                    "value", "Build directory must be a relative path of letters, digits "
                    "and _.-/ (no '..').")
            args.append(text)
    return _command(*args, app=app, mutates=True)


@allows("buildpacks:list")
def buildpacks_list(app: str) -> Command:
    """List the buildpacks of an app."""
    app = validators.app_name(app)
    return _command("buildpacks:list", app, app=app)


@allows("buildpacks:add", "buildpacks:remove")
def buildpacks_change(action: str, app: str, url: str, index: int | str | None = None) -> Command:
    """Add (optionally at a 1-based index) or remove a buildpack Dokku accepts.

    The reference passes Dokku's own validBuildpackURL rule
    (docklight/dokku/buildpack_url.py) before anything is sent.
    """
    action = validators.choice(action, ("add", "remove"), "action", "Action")
    app = validators.app_name(app)
    url = buildpack_url.buildpack(url, field="url")
    args = [f"buildpacks:{action}"]
    if action == "add" and index not in (None, ""):
        args += ["--index", str(_position(index))]
    args += [app, url]
    return _command(*args, app=app, mutates=True)


@allows("buildpacks:remove")
def buildpacks_remove_at(app: str, index: int | str) -> Command:
    """Remove the buildpack at a 1-based position (`buildpacks:remove --index N app`).

    CommandRemove (plugins/buildpacks/subcommands.go) looks the value up with
    PropertyListGetByIndex and removes it with PropertyListRemove, so no URL
    (and no credential in it) has to travel back from the page. Every copy
    of that value goes, as it would when removing by URL.
    """
    app = validators.app_name(app)
    return _command("buildpacks:remove", "--index", str(_position(index)), app, app=app,
                    mutates=True)


def _position(index: int | str) -> int:
    """Validate a 1-based buildpack position."""
    position = validators.count(index, field="index", maximum=100)
    if position < 1:
        raise ValidationError("index", "Position must be a whole number from 1 to 100.")
    return position


@allows("buildpacks:clear")
def buildpacks_clear(app: str) -> Command:
    """Remove every buildpack setting of an app."""
    app = validators.app_name(app)
    return _command("buildpacks:clear", app, app=app, mutates=True)


@allows("checks:enable", "checks:disable", "checks:skip")
def checks_change(action: str, app: str, process_types: list[str] | None = None) -> Command:
    """Enable, disable or skip zero-downtime checks (optionally per process)."""
    action = validators.choice(action, CHECK_ACTIONS, "action", "Action")
    app = validators.app_name(app)
    args = [f"checks:{action}", app]
    if process_types:
        args.append(",".join(validators.process_type(p, field="process_types")
                             for p in process_types))
    return _command(*args, app=app, mutates=True)


@allows("checks:run")
def checks_run(app: str, process_type: str | None = None) -> Command:
    """Run the healthchecks of a running app."""
    app = validators.app_name(app)
    args = ["checks:run", app] + ([validators.process_type(process_type)] if process_type else [])
    return _command(*args, app=app, mutates=False, long=True)

"""Networks and docker options (per phase, and per process type since 0.38)."""

from __future__ import annotations

import re

from docklight.dokku import docker_option_shell, validators
from docklight.dokku.command import Command
from docklight.dokku.commands.allowlist import NETWORK_PROPERTIES, PHASES, _command, allows
from docklight.dokku.validators import ValidationError


# --- network and docker options ------------------------------------------------

@allows("network:set")
def network_set(app: str, prop: str, value: str = "") -> Command:
    """Set (or, with no value, reset) a network property."""
    app = validators.app_name(app)
    prop = validators.choice(prop, NETWORK_PROPERTIES, "property", "Property")
    args = ["network:set", app, prop]
    if value:
        if prop == "bind-all-interfaces":
            args.append(validators.choice(value, ("true", "false"), "value", "Value"))
        elif prop == "tld":
            args.append(validators.hostname(value, field="value"))
        elif prop == "static-web-listener":
            host, sep, port = validators._text("value", value, "Listener").rpartition(":")
            if not sep:
                raise ValidationError("value", "Listener must look like 127.0.0.1:5000.")
            listener_host = validators.hostname(host, field='value')
            args.append(f"{listener_host}:{validators.port(port, field='value')}")
        else:
            args.append(validators.network_name(value, field="value"))
    return _command(*args, app=app, mutates=True)


_ECHO_WORD_RE = re.compile(r"^(-[neE]+|--help|--version)$")
# The Dokku release the Go plugin's option handling is modelled on when the
# caller does not say which release it talks to.
CURRENT_DOKKU = (0, 38, 27)


def _docker_option(value, dokku_version=CURRENT_DOKKU) -> str:
    """Validate a docker option for the Dokku release that will store it.

    Shell syntax is refused where that release would act on it rather than
    store it (docker_option_shell.py: bash eval before 0.38.0, expansion on
    add until 0.38.24, verbatim from 0.38.25), and words echo would eat.
    """
    option = validators.docker_option(value)
    why = docker_option_shell.refusal(option, tuple(dokku_version))
    if why:
        raise ValidationError("option", why)
    if _ECHO_WORD_RE.match(option):
        raise ValidationError(
            "option", f"'{option}' cannot travel as a Dokku argument (echo would swallow it).")
    return option


def _phases(phases) -> list[str]:
    """Validate a list of phases (build, deploy, run), keeping Dokku's order."""
    chosen = {validators.choice(p, PHASES, "phases", "Phase") for p in phases}
    return [p for p in PHASES if p in chosen]


@allows("docker-options:add", "docker-options:remove")
def docker_options_change(action: str, app: str, phases: list[str], option: str,
                          process: str | None = None, *,
                          dokku_version=CURRENT_DOKKU) -> Command:
    """Add or remove a docker option for some phases (root-equivalent power).

    With process, the option is scoped to that process type (Dokku 0.38+,
    deploy phase only); `--process` goes before the app because Dokku's
    flag set stops at the first positional (SetInterspersed(false)).
    dokku_version (a ``(major, minor, patch)`` tuple) decides which shell
    syntax the option may hold (docker_option_shell.py).
    """
    action = validators.choice(action, ("add", "remove"), "action", "Action")
    app = validators.app_name(app)
    phases = _phases(phases)
    if not phases:
        raise ValidationError("phases", "Choose at least one phase.")
    option = _docker_option(option, dokku_version)
    scope = _docker_options_process(process, phases)
    return _command(f"docker-options:{action}", *scope, app, ",".join(phases), option,
                    app=app, mutates=True)


def _docker_options_process(process: str | None, phases: list[str]) -> list[str]:
    """Return ["--process", P] for a process scope, after Dokku's checks (ValidateProcessFlag)."""
    if not process:
        return []
    if process == "_default_":
        raise ValidationError("process", "'_default_' is reserved by Dokku; leave the process "
                                "empty for options that apply to every process.")
    process = validators.process_type(process, field="process")
    if phases != ["deploy"]:
        raise ValidationError("process", "Dokku scopes options to a process type in the deploy "
                                "phase only (plugins/docker-options ValidateProcessFlag).")
    return ["--process", process]


@allows("docker-options:clear")
def docker_options_clear(app: str, phases: list[str] | None = None,
                         process: str | None = None) -> Command:
    """Clear docker options, for some phases or all.

    Without process Dokku clears the default scope only (functions.go
    clearDefaultScope): options scoped to a process type stay. With process
    it clears that type's deploy options.
    """
    app = validators.app_name(app)
    if process:
        chosen = _phases(phases or ["deploy"])
        scope = _docker_options_process(process, chosen)
        return _command("docker-options:clear", *scope, app, "deploy", app=app, mutates=True)
    extra = [",".join(_phases(phases))] if phases else []
    return _command("docker-options:clear", app, *extra, app=app, mutates=True)

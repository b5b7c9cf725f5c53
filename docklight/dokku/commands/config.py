"""Config vars: export, get, set and unset.

A value is refused before config:set unless Dokku's env file gives it back byte-exact.
"""

from __future__ import annotations

import base64

from docklight.dokku import envfile, validators
from docklight.dokku.command import SECRET, Command
from docklight.dokku.commands.allowlist import _command, allows
from docklight.dokku.validators import ValidationError


# --- config -----------------------------------------------------------------

@allows("config:export")
def config_export(app: str) -> Command:
    """Read all config vars as JSON (config:show cannot hold multi-line values)."""
    app = validators.app_name(app)
    return _command("config:export", "--format", "json", app, app=app,
                    redact_output="config_json")


@allows("config:keys")
def config_keys(app: str) -> Command:
    """List config keys only."""
    app = validators.app_name(app)
    return _command("config:keys", app, app=app)


@allows("config:get")
def config_get(app: str, key: str) -> Command:
    """Read one config value (an explicit reveal)."""
    app = validators.app_name(app)
    key = validators.config_key(key)
    return _command("config:get", app, key, app=app, redact_output="all")


def storable_config_value(value, field: str = "value") -> str:
    """Return *value* if Dokku will give it back byte for byte, else refuse it.

    The trip is exact (base64); the storage is not: Dokku's env file goes
    through godotenv's Marshal and parser (docklight.dokku.envfile), which
    change some values and cannot hold others. The refusal says what Dokku
    would make of it, so nothing is stored other than as typed.
    """
    value = validators.config_value(value, field=field)
    problem = envfile.refusal(value)
    if problem:
        raise ValidationError(field, problem)
    return value


@allows("config:set")
def config_set(app: str, values: dict[str, str], *, restart: bool = True) -> Command:
    """Set config vars; values travel base64 so every byte arrives as typed."""
    app = validators.app_name(app)
    if not values:
        raise ValidationError("key", "Give at least one KEY=VALUE pair.")
    args, shown, secrets = ["config:set", "--encoded"], ["config:set", "--encoded"], []
    if not restart:
        args.append("--no-restart")
        shown.append("--no-restart")
    args.append(app)
    shown.append(app)
    for key, value in values.items():
        key = validators.config_key(key)
        value = storable_config_value(value)
        encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
        args.append(f"{key}={encoded}")
        shown.append(f"{key}={SECRET}")
        # Dokku echoes values; a multi-line value spills onto lines of its
        # own, so each line is scrubbed too.
        secrets += [value, encoded, *value.splitlines()]
    return _command(*args, shown=shown, app=app, mutates=True, long=restart,
                    secrets=tuple(secrets), redact_output="config_set")


@allows("config:unset")
def config_unset(app: str, keys: list[str], *, restart: bool = True) -> Command:
    """Unset config vars."""
    app = validators.app_name(app)
    keys = [validators.config_key(k) for k in keys]
    if not keys:
        raise ValidationError("key", "Choose at least one key to unset.")
    extra = [] if restart else ["--no-restart"]
    return _command("config:unset", *extra, app, *keys, app=app, mutates=True, long=restart)

"""Settings an admin saves on the Settings page, under the environment's.

Docklight is configured by DOCKLIGHT_* environment variables (config.py).
The Settings page lets an admin set a few of them without redeploying: the
Dokku target and key, the root target and key, known_hosts, the cache TTL
and history retention.  They are stored as the very same variable names in
sqlite's kv table and laid *under* the environment: a variable the
environment sets always wins, and the page shows it as fixed.  Saving goes
through config.load, so a saved value is exactly as valid as an exported
one, and every worker reloads when the stored stamp changes.

Nothing here knows Flask; the web half is docklight/views/settings.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass

from docklight import config, db

KEY = "saved-settings"
MAX_VALUE_LENGTH = 1024


@dataclass(frozen=True)
class Field:
    """One setting the page offers: its variable, label and what it does."""

    env: str
    label: str
    hint: str
    kind: str = "text"  # text | number


FIELDS = (
    Field("DOCKLIGHT_DOKKU_SSH_TARGET", "Dokku target",
          "dokku@host or dokku@host:port. Empty: a local `dokku` binary, or the demo."),
    Field("DOCKLIGHT_DOKKU_SSH_KEY_PATH", "SSH key path",
          "Private key registered with `dokku ssh-keys:add` (default: ~/.ssh/id_ed25519 and friends)."),
    Field("DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS", "known_hosts file",
          "Where the server's host key is pinned (default: ~/.ssh/known_hosts)."),
    Field("DOCKLIGHT_DOKKU_SSH_ROOT_TARGET", "Root target",
          "root@host, for plugin installs and ssh-keys. Empty: those actions are off."),
    Field("DOCKLIGHT_DOKKU_SSH_ROOT_KEY_PATH", "Root key path",
          "Private key that may log in as root (default: the Dokku key)."),
    Field("DOCKLIGHT_DOKKU_BIN", "Local dokku binary",
          "Used when no target is set and Docklight runs on the Dokku host."),
    Field("DOCKLIGHT_CACHE_TTL", "Cache TTL (seconds)",
          "How long a Dokku report is reused before it is read again.", "number"),
    Field("DOCKLIGHT_HISTORY_READS_DAYS", "Keep reads (days)",
          "How long history keeps read-only commands.", "number"),
    Field("DOCKLIGHT_HISTORY_CHANGES_DAYS", "Keep changes (days)",
          "How long history keeps commands that changed something.", "number"),
)
NAMES = tuple(f.env for f in FIELDS)


class Invalid(ValueError):
    """A value the settings cannot take; field is the variable it is about (or "")."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def database_path(env: Mapping[str, str]) -> str:
    """Return the sqlite file config.load would use for env (without creating anything)."""
    return os.path.join(os.path.abspath(env.get("DOCKLIGHT_DATA_DIR") or "data"),
                        "docklight.sqlite3")


def load(database: str) -> tuple[dict[str, str], float]:
    """Return (saved values, when they were saved); ({}, 0) before anything was saved."""
    if not os.path.exists(database):
        return {}, 0.0
    try:
        with db.connection(database) as conn:
            row = conn.execute("SELECT value, updatedAt FROM kv WHERE key = ?", (KEY,)).fetchone()
    except sqlite3.OperationalError:  # before the first migration
        return {}, 0.0
    if row is None:
        return {}, 0.0
    values = json.loads(row[0])
    return {k: str(v) for k, v in values.items() if k in NAMES}, float(row[1])


def stamp(database: str) -> float:
    """Return when the settings were last saved (one indexed read, for polling)."""
    with db.connection(database) as conn:
        row = conn.execute("SELECT updatedAt FROM kv WHERE key = ?", (KEY,)).fetchone()
    return float(row[0]) if row else 0.0


def effective(env: Mapping[str, str], saved: Mapping[str, str]) -> dict[str, str]:
    """Return the environment with saved values beneath it: a non-empty variable wins."""
    merged = {k: v for k, v in saved.items() if k in NAMES and v != ""}
    merged.update({k: v for k, v in env.items() if v != "" or k not in merged})
    return merged


def fixed(env: Mapping[str, str]) -> set[str]:
    """Return the offered variables the environment sets, which the page cannot change."""
    return {name for name in NAMES if env.get(name, "") != ""}


def validate(form: Mapping[str, str], env: Mapping[str, str]) -> tuple[dict[str, str], config.Settings]:
    """Return (values to save, the settings they give) for the page's form.

    Fields the environment fixes are ignored; each value is checked by
    config.load exactly as an exported variable would be.

    :raise Invalid: naming the field a value is wrong for.
    """
    locked = fixed(env)
    values = {}
    for name in NAMES:
        if name in locked:
            continue
        value = (form.get(name) or "").strip()
        if len(value) > MAX_VALUE_LENGTH:
            raise Invalid(name, f"At most {MAX_VALUE_LENGTH} characters.")
        if any(ord(c) < 32 for c in value):
            raise Invalid(name, "Control characters and line breaks are not allowed.")
        values[name] = value
    try:
        settings = config.load(effective(env, values))
    except config.ConfigError as exc:
        message = str(exc)
        field = next((n for n in NAMES if n in message), "")
        if not field and message.startswith("no Dokku to talk to"):
            field = "DOCKLIGHT_DOKKU_SSH_TARGET"
        raise Invalid(field, message) from None
    return values, settings


def save(database: str, values: Mapping[str, str]) -> float:
    """Store values (only the offered variables); return the new stamp."""
    now = time.time()
    data = json.dumps({k: v for k, v in values.items() if k in NAMES}, sort_keys=True)
    with db.connection(database) as conn:
        conn.execute("INSERT INTO kv (key, value, updatedAt) VALUES (?, ?, ?)"
                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                     " updatedAt = excluded.updatedAt", (KEY, data, now))
    return now


def sources(env: Mapping[str, str], saved: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Return {variable: (where its value comes from, value)}: environment, saved or default."""
    out = {}
    for name in NAMES:
        if env.get(name, "") != "":
            out[name] = ("environment", env[name])
        elif saved.get(name, "") != "":
            out[name] = ("saved", saved[name])
        else:
            out[name] = ("default", "")
    return out

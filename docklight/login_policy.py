"""The admin's login policy: which roles must use a second factor.

Kept in the kv table so that every worker reads the same answer; changing it
is one write. No Flask.
"""

from __future__ import annotations

import json
import time

from docklight import db

TOTP_ROLES_KEY = "totp-required-roles"


def totp_roles(path: str) -> frozenset[str]:
    """Return the roles whose users must log in with a TOTP code."""
    with db.connection(path) as conn:
        row = conn.execute("SELECT value FROM kv WHERE key = ?", (TOTP_ROLES_KEY,)).fetchone()
    return frozenset(json.loads(row[0])) if row else frozenset()


def set_totp_roles(path: str, roles) -> None:
    """Require a second factor of exactly these roles."""
    with db.connection(path) as conn:
        conn.execute("INSERT INTO kv (key, value, updatedAt) VALUES (?, ?, ?)"
                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                     " updatedAt = excluded.updatedAt",
                     (TOTP_ROLES_KEY, json.dumps(sorted(set(roles))), time.time()))

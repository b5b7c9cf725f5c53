"""Who may log in: users with a password hash, a role and an optional second factor.

A team sharing one Dokku host needs to know who did what and to let someone
look without touching, so the one shared password of the first versions is
now the first user, ``admin``. Passwords are stored as salted scrypt hashes
(``hashlib.scrypt``, a memory-hard KDF from the standard library), never in
the clear; a hash names its parameters, so they can grow later without
breaking old rows.

The environment's DOCKLIGHT_PASSWORD keeps working as it always did: at
start-up ``ensure_admin`` makes the admin's password the environment's one
whenever that one changed since it was last applied (its own scrypt hash is
kept for the comparison). A password changed on the Users page or with the
CLI therefore stays until someone changes the environment.

Sqlite only, no Flask: the CLI uses this module as the web pages do.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass

from docklight import db, session_store

ROLES = ("viewer", "operator", "admin")
NAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")
MIN_PASSWORD = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
ENV_PASSWORD_KEY = "admin-env-password"


class UserError(ValueError):
    """A user name, role or password that cannot be accepted; field names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class User:
    """One row of the users table, without the hashes."""

    name: str
    role: str
    created_at: float
    last_login_at: float | None
    disabled: bool
    totp_enabled: bool

    @classmethod
    def from_row(cls, row) -> "User":
        """Build a User from a users row."""
        return cls(name=row["name"], role=row["role"], created_at=row["createdAt"],
                   last_login_at=row["lastLoginAt"], disabled=bool(row["disabled"]),
                   totp_enabled=row["totpSecret"] is not None)


def hash_password(password: str) -> str:
    """Return the stored form of password: ``scrypt$n$r$p$salt$digest`` (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Return whether password matches a hash made by hash_password (constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        given = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                               p=int(p), dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given.hex(), digest)


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password: checking a name that does not exist costs as
    much as checking one that does, so timing does not tell which names exist."""
    return hash_password(secrets.token_urlsafe(16))


def check_name(name: str) -> str:
    """Return name if it is a valid user name.

    :raise UserError: on the name field.
    """
    if not NAME_RE.match(name or ""):
        raise UserError("name", "A user name is 1-32 characters: lower-case letters, digits, "
                                "'.', '_' or '-', starting with a letter.")
    return name


def check_role(role: str) -> str:
    """Return role if it is one of ROLES.

    :raise UserError: on the role field.
    """
    if role not in ROLES:
        raise UserError("role", f"The role must be one of {', '.join(ROLES)}.")
    return role


def check_new_password(password: str) -> str:
    """Return password if it is long enough to be a password.

    :raise UserError: on the password field.
    """
    if len(password or "") < MIN_PASSWORD:
        raise UserError("password", f"A password needs at least {MIN_PASSWORD} characters.")
    return password


def get(path: str, name: str) -> User | None:
    """Return the user called name, or None."""
    with db.connection(path) as conn:
        row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    return User.from_row(row) if row else None


def list_all(path: str) -> list[User]:
    """Return every user, by name."""
    with db.connection(path) as conn:
        rows = conn.execute("SELECT * FROM users ORDER BY name").fetchall()
    return [User.from_row(r) for r in rows]


def authenticate(path: str, name: str, password: str) -> User | None:
    """Return the enabled user whose name and password these are, or None."""
    with db.connection(path) as conn:
        row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, row["passwordHash"]) or row["disabled"]:
        return None
    return User.from_row(row)


def record_login(path: str, name: str) -> None:
    """Remember when name last logged in."""
    with db.connection(path) as conn:
        conn.execute("UPDATE users SET lastLoginAt = ? WHERE name = ?", (time.time(), name))


def add(path: str, name: str, password: str, role: str) -> User:
    """Create a user.

    :raise UserError: for a bad name, role or password, or a name already taken.
    """
    check_name(name)
    check_role(role)
    check_new_password(password)
    with db.connection(path) as conn:
        cur = conn.execute(
            "INSERT OR IGNORE INTO users (name, passwordHash, role, createdAt) VALUES (?, ?, ?, ?)",
            (name, hash_password(password), role, time.time()))
        if cur.rowcount == 0:
            raise UserError("name", f"There is already a user called {name}.")
    return get(path, name)


def _require(path: str, name: str) -> User:
    user = get(path, name)
    if user is None:
        raise UserError("name", f"There is no user called {name}.")
    return user


def _admins_left(conn, without: str) -> int:
    return conn.execute("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"
                        " AND name != ?", (without,)).fetchone()[0]


def set_role(path: str, name: str, role: str) -> User:
    """Give name another role; the last enabled admin keeps theirs.

    :raise UserError: for an unknown user or role, or the last admin.
    """
    check_role(role)
    _require(path, name)
    with db.connection(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        if role != "admin" and _admins_left(conn, name) == 0:
            conn.execute("ROLLBACK")
            raise UserError("role", f"{name} is the last admin; make someone else admin first.")
        conn.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
        conn.execute("COMMIT")
    return get(path, name)


def set_disabled(path: str, name: str, disabled: bool) -> User:
    """Disable (or enable) name; disabling ends every session of theirs at once.

    :raise UserError: for an unknown user or the last enabled admin.
    """
    _require(path, name)
    with db.connection(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
        if disabled and row["role"] == "admin" and _admins_left(conn, name) == 0:
            conn.execute("ROLLBACK")
            raise UserError("name", f"{name} is the last admin and cannot be disabled.")
        conn.execute("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name))
        conn.execute("COMMIT")
    if disabled:
        session_store.end_user(path, name)
    return get(path, name)


def set_password(path: str, name: str, password: str) -> None:
    """Give name a new password and end every session that knew the old one.

    :raise UserError: for an unknown user or a too short password.
    """
    check_new_password(password)
    _require(path, name)
    with db.connection(path) as conn:
        conn.execute("UPDATE users SET passwordHash = ? WHERE name = ?",
                     (hash_password(password), name))
    session_store.end_user(path, name)


def ensure_admin(path: str, name: str, password: str) -> None:
    """Create the first admin on first run; apply a changed environment password.

    Several workers call this at once at start-up: the write transaction makes
    them agree, and the scrypt work happens before it.
    """
    with db.connection(path) as conn:
        applied = conn.execute("SELECT value FROM kv WHERE key = ?",
                               (ENV_PASSWORD_KEY,)).fetchone()
        exists = conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone()
    if exists and applied and verify_password(password, applied[0]):
        return
    # One hash serves both: the user's password and the record of what the
    # environment last said are the same password.
    new_hash, now = hash_password(password), time.time()
    env_hash = new_hash
    changed = False
    with db.connection(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is None:
            conn.execute("INSERT INTO users (name, passwordHash, role, createdAt)"
                         " VALUES (?, ?, 'admin', ?)", (name, new_hash, now))
        else:
            row = conn.execute("SELECT value FROM kv WHERE key = ?",
                               (ENV_PASSWORD_KEY,)).fetchone()
            if row is None or not verify_password(password, row[0]):
                conn.execute("UPDATE users SET passwordHash = ? WHERE name = ?", (new_hash, name))
                changed = True
        conn.execute("INSERT INTO kv (key, value, updatedAt) VALUES (?, ?, ?)"
                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                     " updatedAt = excluded.updatedAt", (ENV_PASSWORD_KEY, env_hash, now))
        conn.execute("COMMIT")
    if changed:
        session_store.end_user(path, name)


# --- second factor ----------------------------------------------------------------

def totp_state(path: str, name: str) -> dict:
    """Return the TOTP columns of name: secret, lastStep, pending, recovery (list of hashes)."""
    with db.connection(path) as conn:
        row = conn.execute("SELECT totpSecret, totpLastStep, totpPending, recoveryHashes"
                           " FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        return {"secret": None, "last_step": None, "pending": None, "recovery": []}
    return {"secret": row["totpSecret"], "last_step": row["totpLastStep"],
            "pending": row["totpPending"], "recovery": json.loads(row["recoveryHashes"] or "[]")}


def set_totp_pending(path: str, name: str, secret: str | None) -> None:
    """Keep a secret being enrolled (shown as a QR code) until a code confirms it."""
    with db.connection(path) as conn:
        conn.execute("UPDATE users SET totpPending = ? WHERE name = ?", (secret, name))


def enable_totp(path: str, name: str, secret: str, step: int, recovery_hashes: list[str]) -> None:
    """Turn the second factor on with a confirmed secret and fresh recovery codes."""
    with db.connection(path) as conn:
        conn.execute("UPDATE users SET totpSecret = ?, totpLastStep = ?, totpPending = NULL,"
                     " recoveryHashes = ? WHERE name = ?",
                     (secret, step, json.dumps(recovery_hashes), name))


def disable_totp(path: str, name: str) -> None:
    """Turn the second factor off (an admin resetting a lost phone, or the user)."""
    with db.connection(path) as conn:
        conn.execute("UPDATE users SET totpSecret = NULL, totpLastStep = NULL, totpPending = NULL,"
                     " recoveryHashes = '[]' WHERE name = ?", (name,))


def accept_totp_step(path: str, name: str, step: int) -> bool:
    """Remember the step a code was accepted for; False if it (or a later one) already was.

    The compare-and-set in one UPDATE makes a code good once even when two
    workers check it at the same moment.
    """
    with db.connection(path) as conn:
        cur = conn.execute("UPDATE users SET totpLastStep = ? WHERE name = ?"
                           " AND (totpLastStep IS NULL OR totpLastStep < ?)", (step, name, step))
        return cur.rowcount == 1


def replace_recovery(path: str, name: str, old: list[str], new: list[str]) -> bool:
    """Swap the recovery hashes from old to new; False when another request changed them first."""
    with db.connection(path) as conn:
        cur = conn.execute("UPDATE users SET recoveryHashes = ? WHERE name = ?"
                           " AND recoveryHashes = ?", (json.dumps(new), name, json.dumps(old)))
        return cur.rowcount == 1

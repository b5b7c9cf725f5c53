"""The second login step: checking a TOTP or recovery code against a user's row.

docklight/totp.py does the arithmetic and knows nothing of users; this module
joins it to the users table, where each accepted step and each used recovery
code is written with a compare-and-set, so a code works once even when two
workers see it at the same moment. No Flask.
"""

from __future__ import annotations

import time

from docklight import totp, users


def verify(path: str, name: str, code: str, *, now: float | None = None) -> bool:
    """Return whether code is name's current TOTP code or one of their recovery codes.

    Either is used up by the check: the step is remembered, the recovery code
    deleted.
    """
    state = users.totp_state(path, name)
    if state["secret"] is None:
        return False
    typed = (code or "").strip().replace(" ", "")
    if typed.isascii() and typed.isdigit():
        result = totp.check(state["secret"], typed, last_step=state["last_step"],
                            now=time.time() if now is None else now)
        return result.ok and users.accept_totp_step(path, name, result.step)
    if not typed or len(typed) > 32:
        return False
    left = totp.use_recovery_code(typed, state["recovery"])
    return left is not None and users.replace_recovery(path, name, state["recovery"], left)


def start_enrolment(path: str, name: str) -> str:
    """Return the secret being enrolled for name (a new one unless one is pending)."""
    state = users.totp_state(path, name)
    if state["pending"]:
        return state["pending"]
    secret = totp.new_secret()
    users.set_totp_pending(path, name, secret)
    return secret


def confirm_enrolment(path: str, name: str, code: str, *,
                      now: float | None = None) -> list[str] | None:
    """Turn the pending secret on if code matches it; return the recovery codes (shown once)."""
    state = users.totp_state(path, name)
    if not state["pending"]:
        return None
    result = totp.check(state["pending"], code or "", last_step=None,
                        now=time.time() if now is None else now)
    if not result.ok:
        return None
    codes = totp.new_recovery_codes()
    users.enable_totp(path, name, state["pending"], result.step,
                      [totp.recovery_hash(c) for c in codes])
    return codes

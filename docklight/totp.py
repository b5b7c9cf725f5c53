"""Time-based one-time passwords (RFC 6238) and recovery codes for a second login step.

A user who enrols keeps a random secret; an authenticator app derives a six-digit
code from it every 30 seconds. The server checks a code against the current step and
one step either side (clock drift), and refuses a step it already accepted, so a code
seen over a shoulder cannot be used twice. Recovery codes stand in for a lost phone:
ten random codes shown once, stored only as salted scrypt hashes, each good
once.

Pure and stdlib-only except the QR code, which segno draws as SVG on the server (no
script in the page, nothing sent to a third party).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
import urllib.parse
from typing import NamedTuple

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # accept the previous and the next code too
SECRET_BYTES = 20  # 160 bits, the size RFC 4226 recommends for HMAC-SHA1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_secret() -> str:
    """Return a fresh base32 secret (no padding), as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """Return the HOTP value of counter (RFC 4226 section 5.3, dynamic truncation)."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** digits).zfill(digits)


def step_at(when: float) -> int:
    """Return the RFC 6238 time step that contains the unix time when."""
    return int(when // STEP_SECONDS)


def code_at(secret: str, when: float) -> str:
    """Return the code an authenticator app shows for secret at unix time when."""
    return hotp(_key(secret), step_at(when))


class Check(NamedTuple):
    """The outcome of checking a code: ok, and the step to remember when it is."""

    ok: bool
    step: int | None


def check(secret: str, code: str, *, last_step: int | None, now: float | None = None) -> Check:
    """Check a typed code against the steps around now, refusing any step <= last_step."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return Check(False, None)
    key = _key(secret)
    current = step_at(time.time() if now is None else now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step < 0 or (last_step is not None and step <= last_step):
            continue
        if hmac.compare_digest(hotp(key, step), code):
            return Check(True, step)
    return Check(False, None)


def provisioning_uri(secret: str, account: str, issuer: str = "Docklight") -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    label = urllib.parse.quote(f"{issuer}:{account}", safe=":@")
    query = urllib.parse.urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1",
                                    "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str) -> str:
    """Return the URI as an inline SVG QR code (no XML declaration, scales with CSS)."""
    import segno  # only the enrolment page needs it

    qr = segno.make(uri, error="m")
    return qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True)


def new_recovery_codes() -> list[str]:
    """Return fresh recovery codes, shown to the user once, as `xxxxx-xxxxx`."""
    def one() -> str:
        chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        return f"{chars[:5]}-{chars[5:]}"
    return [one() for _ in range(RECOVERY_CODES)]


def _normal(code: str) -> bytes:
    return code.strip().lower().replace("-", "").replace(" ", "").encode("utf-8")


def _scrypt(code: str, salt: bytes) -> bytes:
    return hashlib.scrypt(_normal(code), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)


def recovery_hash(code: str) -> str:
    """Return the stored form of a recovery code: salted scrypt (case and dashes ignored)."""
    salt = secrets.token_bytes(16)
    return f"scrypt${salt.hex()}${_scrypt(code, salt).hex()}"


def use_recovery_code(code: str, hashes: list[str]) -> list[str] | None:
    """Return the hashes left after using code once, or None when it is not one of them."""
    for i, stored in enumerate(hashes):
        _scheme, salt, digest = stored.split("$")
        if hmac.compare_digest(_scrypt(code, bytes.fromhex(salt)).hex(), digest):
            return hashes[:i] + hashes[i + 1:]
    return None

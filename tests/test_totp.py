"""RFC 6238 codes, the drift window, replay refusal, recovery codes and the QR code."""

import base64
import hashlib
import xml.etree.ElementTree as ET

from docklight import totp

# RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890";
# the table gives 8-digit codes at these times.
RFC_SEED = base64.b32encode(b"12345678901234567890").decode().rstrip("=")
RFC_TABLE = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
             (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")]


def test_codes_match_rfc_6238_appendix_b():
    key = b"12345678901234567890"
    for when, expected in RFC_TABLE:
        assert totp.hotp(key, totp.step_at(when), digits=8, digest=hashlib.sha1) == expected


def test_six_digit_code_is_the_rfc_value_truncated():
    for when, expected in RFC_TABLE:
        assert totp.code_at(RFC_SEED, when) == expected[-6:]


def test_a_code_is_accepted_one_step_either_side_and_not_two():
    secret = totp.new_secret()
    now = 1_800_000_000.0
    for offset in (-30, 0, 30):
        assert totp.check(secret, totp.code_at(secret, now + offset), last_step=None, now=now).ok
    for offset in (-60, 60):
        assert not totp.check(secret, totp.code_at(secret, now + offset), last_step=None, now=now).ok


def test_an_accepted_step_cannot_be_used_again():
    secret = totp.new_secret()
    now = 1_800_000_000.0
    code = totp.code_at(secret, now)
    first = totp.check(secret, code, last_step=None, now=now)
    assert first.ok and first.step == totp.step_at(now)
    assert not totp.check(secret, code, last_step=first.step, now=now).ok
    assert not totp.check(secret, totp.code_at(secret, now - 30), last_step=first.step, now=now).ok
    assert totp.check(secret, totp.code_at(secret, now + 30), last_step=first.step, now=now).ok


def test_malformed_codes_are_refused_without_raising():
    secret = totp.new_secret()
    for code in ("", "12345", "1234567", "12a456", "١٢٣٤٥٦", "²²²²²²", "123 45"):
        assert totp.check(secret, code, last_step=None, now=0) == totp.Check(False, None)
    spaced = totp.code_at(secret, 0)
    assert totp.check(secret, f" {spaced[:3]} {spaced[3:]} ", last_step=None, now=0).ok


def test_new_secrets_are_160_bit_base32():
    secret = totp.new_secret()
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20
    assert totp.new_secret() != secret


def test_provisioning_uri_names_issuer_account_and_parameters():
    uri = totp.provisioning_uri("ABC", "ada@example.com")
    assert uri.startswith("otpauth://totp/Docklight:ada@example.com?")
    assert "secret=ABC" in uri and "issuer=Docklight" in uri and "period=30" in uri


def test_recovery_codes_work_once_and_are_stored_salted():
    codes = totp.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    hashes = [totp.recovery_hash(c) for c in codes]
    assert not any(c.replace("-", "") in h for c, h in zip(codes, hashes))
    assert totp.recovery_hash(codes[0]) != hashes[0]  # salted
    left = totp.use_recovery_code(codes[3].upper().replace("-", " "), hashes)
    assert left is not None and len(left) == 9 and hashes[3] not in left
    assert totp.use_recovery_code(codes[3], left) is None
    assert totp.use_recovery_code("aaaaa-aaaaa", left) is None


def test_qr_code_is_an_svg_element():
    svg = totp.qr_svg(totp.provisioning_uri(totp.new_secret(), "admin"))
    root = ET.fromstring(svg)
    paths = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "path"]
    assert root.tag.rsplit("}", 1)[-1] == "svg" and paths and paths[0].get("d")

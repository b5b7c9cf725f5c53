"""Tests hash passwords cheaply; Docklight itself keeps scrypt's full cost.

tests/conftest.py lowers users.SCRYPT_N for the apps it builds in-process, so
the suite does not spend minutes in the KDF. These tests pin both sides: the
cheap N holds only inside the test process, and a fresh interpreter (what
gunicorn and the CLI are) hashes at production's N, r and p.
"""

from __future__ import annotations

import subprocess
import sys

from docklight import users
from tests.conftest import PRODUCTION_SCRYPT_N, REPO_ROOT, TEST_SCRYPT_N

PRODUCTION = (2 ** 14, 8, 1)


def test_production_hashes_at_full_cost():
    out = subprocess.run(
        [sys.executable, "-c", "from docklight import users; print(users.hash_password('pw'))"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
    scheme, n, r, p, salt, digest = out.split("$")
    assert scheme == "scrypt" and (int(n), int(r), int(p)) == PRODUCTION
    assert len(salt) == 32 and len(digest) == 64
    assert PRODUCTION_SCRYPT_N == PRODUCTION[0]
    # A production hash still verifies here: verifying follows the stored N.
    assert users.verify_password("pw", out) and not users.verify_password("px", out)


def test_apps_built_by_the_tests_hash_cheaply():
    assert users.SCRYPT_N == TEST_SCRYPT_N < PRODUCTION[0]
    stored = users.hash_password("pw")
    assert stored.startswith(f"scrypt${TEST_SCRYPT_N}$8$1$")
    assert users.verify_password("pw", stored)

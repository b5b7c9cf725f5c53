"""Fixtures: a real sshd forced to the Dokku emulator, and the app talking to it.

Follows flaskr's conftest (app, client, auth) with an `sshd` session fixture
that starts OpenSSH the way Dokku's sshcommand sets it up, and an `emulator`
fixture that resets the emulated Dokku state before each test and reads back
the argv log (what really reached "Dokku").
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time

import pytest
from flask.testing import FlaskClient

from docklight import create_app, users
from docklight.emulator import state as emu
from tests.live import LiveServer
from tests.sshd import SSHServer

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "correct horse battery staple"
ORIGIN = "http://localhost"

# Password hashing at production cost (users.SCRYPT_N, 16 MiB of memory per
# hash) ran on every app start and every login: minutes of a suite of
# thousands of logins. Apps built in this process hash with a tiny N instead;
# the stored hash names its N, so verifying follows it. gunicorn runs
# (tests/live.py) and subprocesses keep production's cost, and
# tests/test_password_cost.py proves that production still hashes at it.
PRODUCTION_SCRYPT_N = users.SCRYPT_N
TEST_SCRYPT_N = 2 ** 4
users.SCRYPT_N = TEST_SCRYPT_N


def standard_apps():
    """Return the emulator apps most tests start from."""
    return [
        emu.make_app("api", processes={"web": 2, "worker": 1},
                     domains=["api.example.com"], config={"DATABASE_URL": "postgres://u:pw@db/api"}),
        emu.make_app("blog", running=False, processes={"web": 1}),
        emu.make_app("draft", deployed=False, running=False, processes={}),
        emu.make_app("shop", running="mixed", processes={"web": 2}),
    ]


@pytest.fixture(scope="session")
def sshd():
    """Start one real sshd for the whole session."""
    server = SSHServer(REPO_ROOT).start()
    yield server
    server.cleanup()


class Emulator:
    """Control and inspect the emulated Dokku behind sshd."""

    def __init__(self, home: str):
        self.home = home

    def reset(self, apps=None, **kw) -> None:
        """Replace the whole Dokku state (and clear the argv log and settings)."""
        state = emu.new_state(apps=standard_apps() if apps is None else apps, **kw)
        emu.write_state(self.home, state)
        for name in ("argv.log", "settings.json"):
            path = os.path.join(self.home, name)
            if os.path.exists(path):
                os.truncate(path, 0) if name == "argv.log" else os.remove(path)
        self._share()

    def _share(self) -> None:
        """Let the sshd login user write what this (root) test process wrote."""
        for entry in os.scandir(self.home):
            if entry.is_file():
                os.chmod(entry.path, 0o666)

    def settings(self, **settings) -> None:
        """Change emulator settings (delay_ms, step_delay_ms, log_rate, version)."""
        emu.write_settings(self.home, **settings)
        self._share()

    def calls(self) -> list[list[str]]:
        """Return the argv of every command Dokku received, in order."""
        return [e["argv"] for e in emu.read_argv_log(self.home) if e.get("event") == "start"]

    def events(self) -> list[dict]:
        """Return every argv-log event (start and end)."""
        return emu.read_argv_log(self.home)

    def state(self) -> dict:
        """Return the emulator's current state."""
        return emu.read_state(self.home)


@pytest.fixture
def emulator(sshd):
    """Reset the emulated Dokku to the standard apps before a test."""
    e = Emulator(sshd.emulator_home)
    e.reset()
    return e


@pytest.fixture
def data_dir():
    """A fresh data folder (our own, so sqlite files are easy to inspect)."""
    path = tempfile.mkdtemp(prefix="docklight-data-")
    yield path


def app_config(sshd, data_dir, **extra):
    """Return the settings that point Docklight at the test sshd."""
    config = {
        "DOCKLIGHT_PASSWORD": PASSWORD,
        "DOCKLIGHT_DATA_DIR": data_dir,
        "DOCKLIGHT_DOKKU_SSH_TARGET": sshd.target,
        "DOCKLIGHT_DOKKU_SSH_ROOT_TARGET": sshd.root_target,
        "DOCKLIGHT_DOKKU_SSH_OPTS": sshd.ssh_opts(),
        "DOCKLIGHT_DOKKU_SSH_ROOT_KEY_PATH": sshd.root_key_path,
        "DOCKLIGHT_LOG_LEVEL": "warning",
        "DOCKLIGHT_CACHE_TTL": "10",
        "TESTING": True,
    }
    config.update(extra)
    return config


@pytest.fixture
def make_app(sshd, emulator, data_dir):
    """Return a factory of apps bound to the test sshd; closes their SSH transports."""
    made = []

    def make(**extra):
        app = create_app(app_config(sshd, data_dir, **extra))
        made.append(app)
        return app

    yield make
    for app in made:
        services = app.extensions["docklight"]
        if services._dokku is not None:
            services._dokku.close()


@pytest.fixture
def app(make_app):
    """The app under test, talking to the emulator through the real sshd."""
    return make_app()


class BrowserLikeClient(FlaskClient):
    """A test client that sends Origin on unsafe requests, as browsers do."""

    def open(self, *args, **kwargs):
        method = kwargs.get("method", "GET").upper()
        if method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("Origin", ORIGIN)
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    """A test client for the app."""
    app.test_client_class = BrowserLikeClient
    return app.test_client()


class AuthActions:
    """Log in and out (flaskr's auth helper)."""

    def __init__(self, client):
        self._client = client

    def login(self, password: str = PASSWORD, next_url: str = ""):
        """Post the login form."""
        return self._client.post("/api/auth/login", data={"password": password, "next": next_url})

    def logout(self):
        """Post the logout form."""
        return self._client.post("/api/auth/logout")


@pytest.fixture
def auth(client):
    """Login/logout actions for the client."""
    return AuthActions(client)


# --- the real server and a real browser ----------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture
def live(sshd, emulator, data_dir):
    """Docklight under gunicorn (the Procfile's line), talking to the test sshd."""
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    server = LiveServer(env)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def new_page(browser):
    """Return a factory of fresh pages; each collects script errors and CSP refusals."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        problems = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        # A 401 for a wrong password is expected; a refused script or a
        # missing file is not.
        page.on("console", lambda m: problems.append(m.text)
                if m.type == "error" and ("Content Security Policy" in m.text
                                          or "Refused" in m.text or "404" in m.text) else None)
        page.console_errors = problems
        # What the page asked for and has no answer yet (tests.browser_session.settle).
        in_flight = page.in_flight = set()
        page.on("request", lambda r: in_flight.add(r))
        page.on("requestfinished", lambda r: in_flight.discard(r))
        page.on("requestfailed", lambda r: in_flight.discard(r))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A fresh browser page."""
    return new_page()


# --- jobs ------------------------------------------------------------------------

def job_id_of(response) -> str:
    """Return the id of the job whose live panel an htmx response holds."""
    html = response.get_data(as_text=True)
    assert response.status_code == 202, html[:2000]
    return re.search(r'<section class="job" id="job-([0-9a-f]+)"', html)[1]


def wait_for_job(app, job_id: str, timeout: float = 30.0):
    """Wait until a job has finished; return its record."""
    manager = app.extensions["docklight"].jobs
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = manager.get(job_id)
        if not job.running:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after {timeout} s")

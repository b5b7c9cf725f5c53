"""Keep the Dockerfile, app.json and docs/deploy.md honest.

Nothing here can build the image (no Docker engine on the test machine), so
the Dockerfile is read as text and checked against the repo, the Procfile
and the settings; the proxy set-up of docs/deploy.md runs for real.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import urllib.error
import urllib.parse
import urllib.request

import pytest

from docklight import config, create_app
from tests.conftest import PASSWORD, REPO_ROOT
from tests.live import LiveServer, procfile_command
from tests.test_cli import close_dokku, deploy_config


def read(name: str) -> str:
    with open(os.path.join(REPO_ROOT, name)) as f:
        return f.read()


def dockerfile() -> list[tuple[str, str]]:
    """Return the Dockerfile as (INSTRUCTION, arguments), continuations joined."""
    instructions, pending = [], ""
    for line in read("Dockerfile").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        text = pending + stripped
        pending = ""
        keyword, _, rest = text.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return instructions


def stages() -> list[list[tuple[str, str]]]:
    """Return the instructions of each build stage (FROM starts one)."""
    result = []
    for keyword, rest in dockerfile():
        if keyword == "FROM":
            result.append([])
        assert result, "instruction before the first FROM"
        result[-1].append((keyword, rest))
    return result


def final_stage() -> list[tuple[str, str]]:
    return stages()[-1]


def env_of(stage) -> dict[str, str]:
    """Return the ENV values a stage sets (KEY=VALUE form)."""
    env = {}
    for keyword, rest in stage:
        if keyword == "ENV":
            for word in shlex.split(rest):
                key, sep, value = word.partition("=")
                assert sep, f"use ENV KEY=VALUE, not {rest!r}"
                env[key] = value
    return env


def default_settings(tmp_path):
    """Return the settings with nothing set but a data folder (demo mode)."""
    return config.load({"DOCKLIGHT_DATA_DIR": str(tmp_path), "DOCKLIGHT_DEMO": "1"})


# --- Dockerfile ---------------------------------------------------------------

def test_every_copied_path_exists_and_reaches_the_build_context():
    ignored = [p.strip() for p in read(".dockerignore").splitlines()
               if p.strip() and not p.startswith("#")]
    sources = []
    for keyword, rest in dockerfile():
        if keyword not in ("COPY", "ADD"):
            continue
        words = shlex.split(rest)
        if any(w.startswith("--from=") for w in words):
            continue  # from another stage, not from the repo
        words = [w for w in words if not w.startswith("--")]
        sources += words[:-1]
    assert sources, "the Dockerfile copies nothing from the repo"
    for source in sources:
        path = os.path.join(REPO_ROOT, source)
        assert os.path.exists(path), f"COPY {source}: no such file in the repo"
        name = source.rstrip("/")
        for pattern in ignored:
            assert not fnmatch.fnmatch(name, pattern.lstrip("/")), \
                f"COPY {source} is excluded by .dockerignore pattern {pattern!r}"
    for needed in ("docklight/", "templates/", "static/", "wsgi.py", "gunicorn.conf.py"):
        assert needed in sources, f"the image needs {needed}"


def test_cmd_is_the_procfile_web_command():
    cmds = [rest for keyword, rest in final_stage() if keyword == "CMD"]
    assert len(cmds) == 1
    assert json.loads(cmds[0]) == procfile_command()  # exec form, same argv


def test_every_stage_uses_python_311_slim():
    froms = [rest.split()[0] for keyword, rest in dockerfile() if keyword == "FROM"]
    assert len(froms) >= 2, "multi-stage: build wheels apart from the final image"
    assert set(froms) == {"python:3.11-slim"}


def test_final_image_has_no_compiler_and_no_ssh_client():
    final = " ".join(rest for keyword, rest in final_stage() if keyword == "RUN")
    for package in ("build-essential", "gcc", "libffi-dev", "openssh-client"):
        assert package not in final
    assert "openssh" not in read("Dockerfile")  # paramiko speaks SSH itself
    assert any(keyword == "COPY" and "--from=" in rest for keyword, rest in final_stage())


def test_runs_as_a_non_root_user():
    users = [rest for keyword, rest in final_stage() if keyword == "USER"]
    assert users, "the final stage must set USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert user == "1000" or user == "docklight"  # the uid docs/deploy.md chowns to


def test_port_is_the_same_everywhere(tmp_path):
    port = default_settings(tmp_path).port
    assert port == 3001
    exposed = [rest for keyword, rest in final_stage() if keyword == "EXPOSE"]
    assert exposed == [str(port)]
    assert env_of(final_stage())["PORT"] == str(port)
    app_json = json.loads(read("app.json"))
    assert [c.get("port", port) for c in app_json["healthchecks"]["web"]] == [port]


def test_image_settings_are_real_settings():
    env = env_of(final_stage())
    assert env["DOCKLIGHT_DATA_DIR"] == "/app/data"
    source = read("docklight/config.py")
    for key in env:
        if key.startswith("DOCKLIGHT_"):
            assert f'"{key}"' in source, f"{key} is not read by docklight/config.py"
    # The folders the mounts land on exist in the image, owned by the app user.
    run = " ".join(rest for keyword, rest in final_stage() if keyword == "RUN")
    for folder in ("/app/data", "/app/.ssh"):
        assert folder in run
    assert "chown 1000:1000" in run


def test_requirements_are_pinned():
    for line in read("requirements.txt").splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.\-+]+$", line), line


# --- app.json -----------------------------------------------------------------

def test_app_json_healthcheck_answers_200(sshd, emulator, data_dir):
    checks = json.loads(read("app.json"))["healthchecks"]["web"]
    assert len(checks) == 1
    check = checks[0]
    assert check["type"] == "startup" and check["path"] == "/healthz"
    assert check["attempts"] >= 3
    # Longer than an SSH connect timeout: /healthz may wait for Dokku once.
    assert check["timeout"] > 10
    app = create_app(deploy_config(sshd, data_dir))
    try:
        r = app.test_client().get(check["path"])
        assert r.status_code == 200
        assert r.get_json()["database"] == "ok"
    finally:
        close_dokku(app)


# --- docs/deploy.md -------------------------------------------------------------

def test_deploy_doc_covers_every_setting():
    doc = read("docs/deploy.md")
    names = set()
    for source in ("docklight/config.py", "gunicorn.conf.py"):
        names |= set(re.findall(r'"((?:DOCKLIGHT_|WEB_)[A-Z_]+|PORT)"', read(source)))
    assert len(names) > 20
    missing = sorted(n for n in names if f"`{n}`" not in doc)
    assert not missing, f"docs/deploy.md does not document {missing}"


def test_deploy_doc_uses_the_real_command_lines():
    doc = read("docs/deploy.md")
    for text in ("dokku ssh-keys:add docklight", "ssh-keyscan -t ed25519",
                 "dokku storage:ensure-directory", "dokku storage:mount docklight",
                 "chown 1000:1000", "git push dokku main", "letsencrypt:enable docklight",
                 "nginx:set docklight proxy-read-timeout",
                 "flask --app wsgi docklight check", "flask --app wsgi docklight acl-commands",
                 "flask --app wsgi docklight backup", "DOKKU_ACL_USER_COMMANDS"):
        assert text in doc, text
    # The image's paths are the ones the doc mounts and configures.
    env = env_of(final_stage())
    for key in ("DOCKLIGHT_DATA_DIR", "DOCKLIGHT_DOKKU_SSH_KEY_PATH",
                "DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS"):
        assert f"{key}={env[key]}" in doc


# --- behind Dokku's nginx -------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login_through_proxy(server: LiveServer, headers: dict[str, str]):
    """POST the login form with the given headers; return (status, Set-Cookie)."""
    data = urllib.parse.urlencode({"password": PASSWORD}).encode()
    request = urllib.request.Request(server.url + "/api/auth/login", data=data,
                                     headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as r:
            return r.status, r.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Set-Cookie", "")


# What Dokku's nginx sends for https://docklight.example.com (it passes Host
# through and sets X-Forwarded-For/-Port/-Proto).
NGINX_HEADERS = {
    "Host": "docklight.example.com",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "443",
    "X-Forwarded-For": "203.0.113.7",
    "Origin": "https://docklight.example.com",
}


@pytest.fixture
def live_server(sshd, emulator, data_dir):
    servers = []

    def start(**extra):
        env = {k: str(v) for k, v in deploy_config(sshd, data_dir, **extra).items()
               if k != "TESTING"}
        env["DOCKLIGHT_LOG_LEVEL"] = "info"
        servers.append(LiveServer(env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_behind_one_trusted_proxy_the_session_cookie_is_secure(live_server):
    server = live_server(DOCKLIGHT_TRUSTED_PROXIES="1")
    status, cookie = login_through_proxy(server, NGINX_HEADERS)
    assert status == 303, server.log()
    # HTTPS (as nginx reports it): the __Host- prefixed name.
    assert cookie.startswith("__Host-docklight=")
    assert "Secure" in cookie and "HttpOnly" in cookie
    logs = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    assert any(e.get("path") == "/api/auth/login" and e.get("client_ip") == "203.0.113.7"
               for e in logs)


def test_without_trusted_proxies_forwarded_headers_are_ignored(live_server):
    server = live_server(DOCKLIGHT_TRUSTED_PROXIES="0")
    # The forwarded https origin does not match the plain-http server...
    status, cookie = login_through_proxy(server, NGINX_HEADERS)
    assert status == 403 and "docklight_session=" not in cookie
    # ...and a same-origin login gets a cookie without Secure.
    status, cookie = login_through_proxy(server, {
        "X-Forwarded-Proto": "https", "Origin": server.url})
    assert status == 303, server.log()
    assert "docklight_session=" in cookie and "Secure" not in cookie

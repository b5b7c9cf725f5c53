"""Tests for tests/sshd.py: a real sshd whose keys are forced to the emulator.

A tiny fake ``docklight.emulator`` (in its own temp repo root) stands in for the
real emulator so these tests only exercise the SSH plumbing.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sshd import SSHServer  # noqa: E402

FAKE_EMULATOR = textwrap.dedent('''\
    import json, os, sys, time
    del sys.path[0]
    import docklight.emulator  # from PYTHONPATH, as the real program imports its package
    args = sys.argv[1:]
    home = os.environ["DOKKU_EMULATOR_HOME"]
    with open(os.path.join(home, "argv.log"), "a") as fh:
        fh.write(json.dumps(args) + "\\n")
    print(json.dumps({
        "SSH_ORIGINAL_COMMAND": os.environ.get("SSH_ORIGINAL_COMMAND"),
        "DOKKU_EMULATOR_ROOT": os.environ.get("DOKKU_EMULATOR_ROOT"),
        "DOKKU_EMULATOR_HOME": home,
        "NAME": os.environ.get("NAME"),
        "FINGERPRINT": os.environ.get("FINGERPRINT"),
        "PYTHONPATH": os.environ.get("PYTHONPATH"),
        "USER": os.environ.get("USER"),
        "uid": os.getuid(),
        "argv": args,
    }), flush=True)
    if args[:1] == ["stderr"]:
        print(" !     App x does not exist", file=sys.stderr)
        sys.exit(20)
    if args[:1] == ["sleep"]:
        time.sleep(float(args[1]))
''')


@pytest.fixture(scope="module")
def fake_repo():
    root = tempfile.mkdtemp(prefix="docklight-fake-repo-", dir="/tmp")
    pkg = os.path.join(root, "docklight", "emulator")
    os.makedirs(pkg)
    open(os.path.join(root, "docklight", "__init__.py"), "w").close()
    open(os.path.join(pkg, "__init__.py"), "w").close()
    with open(os.path.join(pkg, "dokku.py"), "w") as fh:  # the program forced commands name
        fh.write(FAKE_EMULATOR)
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def server(fake_repo):
    srv = SSHServer(fake_repo).start()
    yield srv
    srv.cleanup()


def run(argv, timeout=20):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def ssh(srv, command, *, key=None, known_hosts=None, user=None):
    return run([
        "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
        "-o", "StrictHostKeyChecking=yes", "-o", "GlobalKnownHostsFile=/dev/null",
        "-i", key or srv.key_path,
        "-o", f"UserKnownHostsFile={known_hosts or srv.known_hosts}",
        "-p", str(srv.port), f"{user or srv.user}@127.0.0.1", command,
    ])


def out_json(proc):
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    return json.loads(proc.stdout.splitlines()[0])


def test_attributes(server):
    assert server.host == "127.0.0.1"
    assert server.target == f"{server.user}@127.0.0.1:{server.port}"
    assert server.root_target == f"{server.root_user}@127.0.0.1:{server.port}"
    assert server.root_emulator_home == server.emulator_home
    if os.geteuid() == 0:
        assert (server.user, server.root_user) == ("dokku", "root")
    with open(server.known_hosts) as fh:
        line = fh.read().strip()
    assert line.startswith(f"[127.0.0.1]:{server.port} ssh-ed25519 AAAA")
    with open(server.wrong_known_hosts) as fh:
        wrong = fh.read().strip()
    assert wrong.startswith(f"[127.0.0.1]:{server.port} ssh-ed25519 AAAA") and wrong != line
    with open(server.authorized_keys_path(server.user)) as fh:
        ak = fh.read()
    assert 'NAME=\\"docklight\\"' in ak
    assert "/docklight/emulator/dokku.py $SSH_ORIGINAL_COMMAND\",no-agent-forwarding," \
           "no-user-rc,no-X11-forwarding,no-port-forwarding ssh-ed25519 AAAA" in ak


def test_forced_command_gets_original_command(server, fake_repo):
    p = ssh(server, "apps:list --quiet 'my app' x;y")
    data = out_json(p)
    assert data["SSH_ORIGINAL_COMMAND"] == "apps:list --quiet 'my app' x;y"
    # the login shell word-splits $SSH_ORIGINAL_COMMAND (quotes are not special)
    assert data["argv"] == ["apps:list", "--quiet", "'my", "app'", "x;y"]
    assert data["DOKKU_EMULATOR_ROOT"] is None
    assert data["DOKKU_EMULATOR_HOME"] == server.emulator_home
    assert data["PYTHONPATH"] == fake_repo
    assert data["NAME"] == "docklight"
    assert data["FINGERPRINT"].startswith("SHA256:")
    assert data["USER"] == server.user
    # the login user could write its state
    with open(os.path.join(server.emulator_home, "argv.log")) as fh:
        assert json.loads(fh.read().splitlines()[-1])[0] == "apps:list"


def test_the_emulator_keeps_its_compiled_modules_between_runs(server, fake_repo):
    """The login user cannot write the repo: its bytecode goes to a cache of its own."""
    ssh(server, "version")
    cached = [os.path.join(d, f) for d, _, files in os.walk(server.pycache_dir) for f in files]
    assert any("/docklight/emulator/__init__." in path and path.endswith(".pyc")
               for path in cached), cached
    assert not os.path.exists(os.path.join(fake_repo, "docklight", "__pycache__"))


def test_any_requested_command_is_replaced(server):
    # Asking for a shell command still runs the emulator (forced command).
    data = out_json(ssh(server, "id; cat /etc/passwd"))
    assert data["argv"] == ["id;", "cat", "/etc/passwd"]


def test_stderr_and_exit_code(server):
    p = ssh(server, "stderr")
    assert p.returncode == 20
    assert p.stderr.strip() == "!     App x does not exist"
    assert json.loads(p.stdout)["argv"] == ["stderr"]


def test_root_key_gets_emulator_root(server):
    data = out_json(ssh(server, "plugin:list", key=server.root_key_path,
                        user=server.root_user))
    assert data["DOKKU_EMULATOR_ROOT"] == "1"
    assert data["DOKKU_EMULATOR_HOME"] == server.root_emulator_home
    assert data["argv"] == ["plugin:list"]
    if os.geteuid() == 0:
        assert data["uid"] == 0
        # a file root created in the shared state dir stays writable for dokku
        st = os.stat(os.path.join(server.emulator_home, "argv.log"))
        assert st.st_mode & 0o002 or st.st_uid != 0


def test_user_key_cannot_log_in_as_root(server):
    if server.user == server.root_user:
        pytest.skip("single login user when not running as root")
    p = ssh(server, "apps:list", user=server.root_user)  # dokku key, root user
    assert p.returncode == 255
    assert "Permission denied" in p.stderr


def test_unknown_key_is_refused(server, tmp_path):
    key = str(tmp_path / "k")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    p = ssh(server, "apps:list", key=key)
    assert p.returncode == 255
    assert "Permission denied" in p.stderr


def test_wrong_known_hosts_is_rejected(server):
    p = ssh(server, "apps:list", known_hosts=server.wrong_known_hosts)
    assert p.returncode == 255
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in p.stderr
    assert "Host key verification failed" in p.stderr
    assert p.stdout == ""


def test_ssh_opts_and_helpers(server):
    opts = server.ssh_opts()
    assert opts.startswith(f"-o Port={server.port} -o IdentityFile=")
    cmd = f"ssh -F /dev/null -o BatchMode=yes {opts} {server.user}@127.0.0.1 version"
    p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20)
    assert out_json(p)["argv"] == ["version"]
    root = server.run("ssh-keys:list", root=True)
    assert out_json(root)["DOKKU_EMULATOR_ROOT"] == "1"


def test_restart_keeps_port_and_host_key(server):
    port = server.port
    with open(server.known_hosts) as fh:
        known = fh.read()
    old_pid = server.proc.pid
    server.restart()
    assert server.port == port
    assert server.proc.pid != old_pid
    with open(server.known_hosts) as fh:
        assert fh.read() == known
    assert out_json(ssh(server, "apps:list"))["argv"] == ["apps:list"]


def test_kill_connections_drops_sessions_keeps_listener(server):
    client = subprocess.Popen(
        ["ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
         "-i", server.key_path, "-o", f"UserKnownHostsFile={server.known_hosts}",
         "-p", str(server.port), f"{server.user}@127.0.0.1", "sleep 30"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = client.stdout.readline()  # the session is established
        assert json.loads(first)["argv"] == ["sleep", "30"]
        t0 = time.monotonic()
        killed = server.kill_connections()
        assert killed
        client.wait(timeout=10)
        assert time.monotonic() - t0 < 5
        assert client.returncode == 255
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
        client.stdout.close()
        client.stderr.close()
    assert out_json(ssh(server, "apps:list"))["argv"] == ["apps:list"]


def test_stop_kills_sessions_and_start_failure_reports_log(fake_repo):
    srv = SSHServer(fake_repo).start()
    try:
        pid = srv.proc.pid
        srv.stop()
        assert srv.proc is None
        assert not os.path.exists(f"/proc/{pid}") or \
            open(f"/proc/{pid}/stat").read().split(") ")[1][0] in "ZX"
        # a bogus option makes sshd exit: start() raises with its stderr
        srv.start_timeout = 3
        orig = srv._write_config

        def bad_config():
            orig()
            with open(srv.config_path, "a") as fh:
                fh.write("NoSuchOption yes\n")
        srv._write_config = bad_config
        with pytest.raises(RuntimeError, match="NoSuchOption"):
            srv.start()
    finally:
        srv.cleanup()


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("runuser") is None,
                    reason="needs root to run the non-root mode as another user")
def test_non_root_mode(fake_repo):
    """As a normal user, both keys log in as that user with different commands."""
    probe = SSHServer(fake_repo)
    probe._prepare()  # makes sure the dokku user exists
    probe.cleanup()
    here = os.path.dirname(os.path.abspath(__file__))
    script = textwrap.dedent(f'''\
        import json, sys
        sys.path.insert(0, {here!r})
        from sshd import SSHServer
        with SSHServer({fake_repo!r}) as s:
            assert s.user == s.root_user == "dokku", (s.user, s.root_user)
            a = s.run("apps:list")
            b = s.run("apps:list", root=True)
            print(json.dumps([a.returncode, a.stdout, a.stderr,
                              b.returncode, b.stdout, b.stderr]))
    ''')
    # sshd.py is stdlib-only; the venv python may not be reachable by dokku
    p = run(["runuser", "-u", "dokku", "--", "/usr/bin/python3", "-c", script], timeout=60)
    assert p.returncode == 0, p.stderr
    ra, oa, ea, rb, ob, eb = json.loads(p.stdout)
    assert ra == 0 and rb == 0, (ea, eb)
    assert json.loads(oa)["DOKKU_EMULATOR_ROOT"] is None
    assert json.loads(ob)["DOKKU_EMULATOR_ROOT"] == "1"
    assert json.loads(oa)["USER"] == json.loads(ob)["USER"] == "dokku"

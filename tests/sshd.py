"""A real OpenSSH sshd for tests, with keys forced to the Dokku emulator.

Dokku's ``sshcommand acl-add`` (what ``dokku ssh-keys:add`` runs) writes one
line per key into ``~dokku/.ssh/authorized_keys``::

    command="FINGERPRINT=... NAME=\\"...\\" `cat ~/.sshcommand` $SSH_ORIGINAL_COMMAND",no-agent-forwarding,no-user-rc,no-X11-forwarding,no-port-forwarding ssh-ed25519 AAAA...

:class:`SSHServer` starts ``/usr/sbin/sshd`` on 127.0.0.1 with its own
config, host key and authorized_keys files, and forces both of its client keys
to ``python3 -S docklight/emulator/dokku.py $SSH_ORIGINAL_COMMAND`` in exactly that
style, so the code under test talks real SSH (host-key checking, exit codes,
streams, dropped connections) to a Dokku stand-in.

* Running as root: the Dokku key logs in as ``dokku`` (created if missing)
  and the root key as ``root``.
* Running as another user: sshd can only log in as that user, so both keys
  go into its authorized_keys with different forced commands (the root key's
  command adds ``DOKKU_EMULATOR_ROOT=1``).

Usage::

    server = SSHServer(repo_root).start()
    try:
        subprocess.run(server.ssh_argv("apps:list"), ...)
    finally:
        server.stop()
"""

from __future__ import annotations

import atexit
import ctypes
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "ssh-keygen"
SSH = "ssh"
DEFAULT_PYTHON = "/usr/bin/python3"
PRIVSEP_DIR = "/run/sshd"  # sshd refuses to start without it when run as root

_live_servers: "set[SSHServer]" = set()
_live_lock = threading.Lock()


def _stop_all_live_servers() -> None:
    with _live_lock:
        servers = list(_live_servers)
    for server in servers:
        try:
            server.cleanup()
        except Exception:  # pragma: no cover - best effort at interpreter exit
            pass


atexit.register(_stop_all_live_servers)


# --------------------------------------------------------------------------- processes

def _proc_stat(pid: int) -> tuple[int, str] | None:
    """(ppid, state) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    # comm is in parentheses and may itself contain spaces or parentheses.
    rest = data[data.rfind(")") + 2:].split()
    try:
        return int(rest[1]), rest[0]
    except (IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    st = _proc_stat(pid)
    return st is not None and st[1] not in ("Z", "X")


def _descendants(root_pid: int) -> list[int]:
    """All live descendants of root_pid (parents before children)."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = _proc_stat(int(name))
        if st is not None:
            children.setdefault(st[0], []).append(int(name))
    found: list[int] = []
    queue = [root_pid]
    while queue:
        pid = queue.pop(0)
        for child in children.get(pid, ()):
            found.append(child)
            queue.append(child)
    return found


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return [p.decode("utf-8", "replace") for p in fh.read().split(b"\0") if p]
    except OSError:
        return []


def _signal(pids, sig) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _wait_gone(pids, timeout: float) -> list[int]:
    """Wait until none of pids is alive (zombies count as gone); return survivors."""
    deadline = time.monotonic() + timeout
    left = [p for p in pids if _alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        left = [p for p in left if _alive(p)]
    return left


def _terminate(pids, timeout: float = 3.0) -> None:
    """SIGTERM, then SIGKILL whatever is still alive after timeout."""
    pids = [p for p in pids if p != os.getpid()]
    if not pids:
        return
    _signal(pids, signal.SIGTERM)
    left = _wait_gone(pids, timeout)
    if left:
        _signal(left, signal.SIGKILL)
        _wait_gone(left, 2.0)


def _set_pdeathsig():  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


# --------------------------------------------------------------------------- helpers

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _keygen(path: str, comment: str) -> None:
    for p in (path, path + ".pub"):
        if os.path.exists(p):
            os.unlink(p)
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path],
        check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _pubkey(path: str) -> str:
    """'ssh-ed25519 AAAA...' (without comment) from a key's .pub file."""
    with open(path + ".pub") as fh:
        kind, blob = fh.read().split()[:2]
    return f"{kind} {blob}"


def _fingerprint(path: str) -> str:
    out = subprocess.run(
        [SSH_KEYGEN, "-l", "-E", "sha256", "-f", path + ".pub"],
        check=True, capture_output=True, text=True,
    ).stdout
    return out.split()[1]  # "256 SHA256:xxx comment (ED25519)"


def _write(path: str, text: str, mode: int) -> None:
    with open(path, "w") as fh:
        fh.write(text)
    os.chmod(path, mode)


def _can_traverse(path: str, pw: pwd.struct_passwd) -> bool:
    """Rough check: can user pw reach (search) every directory up to path?"""
    if pw.pw_uid == 0:
        return True
    groups = {pw.pw_gid} | {g.gr_gid for g in _groups_of(pw.pw_name)}
    path = os.path.abspath(path)
    parts = [path]
    while parts[-1] != "/":
        parts.append(os.path.dirname(parts[-1]))
    for p in parts:
        try:
            st = os.stat(p)
        except OSError:
            return False
        if st.st_uid == pw.pw_uid:
            ok = st.st_mode & 0o100
        elif st.st_gid in groups:
            ok = st.st_mode & 0o010
        else:
            ok = st.st_mode & 0o001
        if not ok:
            return False
    return True


def _groups_of(name: str):
    import grp
    return [g for g in grp.getgrall() if name in g.gr_mem]


def _ensure_login_user(name: str) -> pwd.struct_passwd:
    """Create (if needed) a user sshd will accept with UsePAM no (root only)."""
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        r = subprocess.run(["useradd", "-m", "-s", "/bin/bash", name],
                           capture_output=True, text=True)
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            raise RuntimeError(f"useradd {name} failed: {r.stderr.strip()}") from None
    if not pw.pw_shell or not os.access(pw.pw_shell, os.X_OK) or \
            pw.pw_shell.endswith(("nologin", "false")):
        subprocess.run(["usermod", "-s", "/bin/bash", name], check=True,
                       capture_output=True)
    _unlock(name)
    return pwd.getpwnam(name)


def _unlock(name: str) -> None:
    """sshd (UsePAM no) refuses accounts whose password starts with '!'."""
    locked = True  # cannot tell: make sure
    try:
        with open("/etc/shadow") as fh:
            for line in fh:
                f = line.split(":")
                if f[0] == name and len(f) > 1:
                    locked = f[1].startswith("!")
    except OSError:
        pass
    if locked:
        # '*' = no password can ever match, but the account is not "locked".
        subprocess.run(["usermod", "-p", "*", name], check=True, capture_output=True)


# --------------------------------------------------------------------------- server

class SSHServer:
    """A real sshd on 127.0.0.1 whose keys are forced to the Dokku emulator."""

    host = "127.0.0.1"

    def __init__(self, repo_root: str, base_dir: str | None = None, *,
                 python: str = DEFAULT_PYTHON, start_timeout: float = 10.0):
        self.repo_root = os.path.abspath(repo_root)
        self.python = python
        self.start_timeout = start_timeout
        self.is_root = os.geteuid() == 0
        me = pwd.getpwuid(os.geteuid()).pw_name
        self.user = "dokku" if self.is_root else me
        self.root_user = "root" if self.is_root else me

        if base_dir is None:
            base_dir = tempfile.mkdtemp(prefix="docklight-sshd-", dir="/tmp")
            self._own_base_dir = True
        else:
            base_dir = os.path.abspath(base_dir)
            os.makedirs(base_dir, exist_ok=True)
            self._own_base_dir = False
        self.base_dir = base_dir
        os.chmod(base_dir, 0o755)

        self.config_path = os.path.join(base_dir, "sshd_config")
        self.pid_file = os.path.join(base_dir, "sshd.pid")
        self.sshd_log = os.path.join(base_dir, "sshd.log")
        self.host_key = os.path.join(base_dir, "ssh_host_ed25519_key")
        self.wrong_host_key = os.path.join(base_dir, "wrong_host_ed25519_key")
        self.key_path = os.path.join(base_dir, "id_dokku")
        self.root_key_path = os.path.join(base_dir, "id_root")
        self.known_hosts = os.path.join(base_dir, "known_hosts")
        self.wrong_known_hosts = os.path.join(base_dir, "wrong_known_hosts")
        self.emulator_home = os.path.join(base_dir, "emulator")
        self.pycache_dir = os.path.join(base_dir, "pycache")
        self.root_emulator_home = self.emulator_home
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._log_fh = None
        self._prepared = False

    # ---------------------------------------------------------------- properties
    @property
    def target(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"

    @property
    def root_target(self) -> str:
        return f"{self.root_user}@{self.host}:{self.port}"

    def authorized_keys_path(self, user: str) -> str:
        return os.path.join(self.base_dir, f"authorized_keys.{user}")

    # ---------------------------------------------------------------- setup
    def _prepare(self) -> None:
        """Users, keys, dirs, authorized_keys (once; kept across restart)."""
        if self._prepared:
            return
        if self.is_root:
            os.makedirs(PRIVSEP_DIR, mode=0o755, exist_ok=True)
            login = _ensure_login_user(self.user)
            _unlock(self.root_user)
        else:
            login = pwd.getpwuid(os.geteuid())
        for path, what in ((self.base_dir, "base_dir"), (self.repo_root, "repo_root")):
            if not _can_traverse(path, login):
                raise RuntimeError(
                    f"{what} {path} is not reachable by ssh login user {login.pw_name}; "
                    "use a directory under /tmp whose parents are world-searchable")

        self._kill_leftover()

        _keygen(self.host_key, "docklight-test-host")
        _keygen(self.wrong_host_key, "docklight-test-wrong-host")
        _keygen(self.key_path, "docklight-test-dokku")
        _keygen(self.root_key_path, "docklight-test-root")

        os.makedirs(self.emulator_home, exist_ok=True)
        os.chmod(self.emulator_home, 0o777)
        os.makedirs(self.pycache_dir, exist_ok=True)
        os.chmod(self.pycache_dir, 0o777)
        if self.is_root:
            os.chown(self.emulator_home, login.pw_uid, login.pw_gid)

        self._write_authorized_keys()
        self._prepared = True

    def forced_command(self, root: bool = False) -> str:
        """The shell command the sshd runs for a key (before $SSH_ORIGINAL_COMMAND)."""
        env = [
            'NAME="docklight"',
            f"DOKKU_EMULATOR_HOME={shlex.quote(self.emulator_home)}",
            f"PYTHONPATH={shlex.quote(self.repo_root)}",
            # The login user cannot write the repo's __pycache__, so without
            # a cache of its own every run compiled the emulator afresh
            # (~15 ms of CPU per Dokku call).
            f"PYTHONPYCACHEPREFIX={shlex.quote(self.pycache_dir)}",
        ]
        if root:
            env.append("DOKKU_EMULATOR_ROOT=1")
        # The emulator's own script in the place of `cat ~/.sshcommand` (see
        # docklight/emulator/dokku.py for why not `-m`).
        program = shlex.quote(os.path.join(self.repo_root, "docklight", "emulator", "dokku.py"))
        cmd = " ".join(env) + f" {shlex.quote(self.python)} -S {program} $SSH_ORIGINAL_COMMAND"
        if root and self.is_root:
            # root shares the dokku user's state dir: keep what it creates
            # writable for the dokku user.
            cmd = "umask 0000; " + cmd
        return cmd

    def _authorized_line(self, key: str, root: bool) -> str:
        cmd = f"FINGERPRINT={_fingerprint(key)} " + self.forced_command(root)
        cmd = cmd.replace("\\", "\\\\").replace('"', '\\"')
        return (f'command="{cmd}",no-agent-forwarding,no-user-rc,no-X11-forwarding,'
                f"no-port-forwarding {_pubkey(key)}\n")

    def _write_authorized_keys(self) -> None:
        user_line = self._authorized_line(self.key_path, root=False)
        root_line = self._authorized_line(self.root_key_path, root=True)
        if self.user == self.root_user:
            _write(self.authorized_keys_path(self.user), user_line + root_line, 0o644)
        else:
            _write(self.authorized_keys_path(self.user), user_line, 0o644)
            _write(self.authorized_keys_path(self.root_user), root_line, 0o644)

    def _write_config(self) -> None:
        users = " ".join(dict.fromkeys([self.user, self.root_user]))
        cfg = f"""\
# docklight test sshd ({self.base_dir})
ListenAddress {self.host}
Port {self.port}
HostKey {self.host_key}
PidFile {self.pid_file}
AuthorizedKeysFile {self.base_dir}/authorized_keys.%u
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PubkeyAuthentication yes
PermitRootLogin forced-commands-only
AllowUsers {users}
MaxSessions 10
MaxStartups 100:30:200
LogLevel VERBOSE
PermitUserEnvironment no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
ClientAliveInterval 0
PrintMotd no
PrintLastLog no
"""
        _write(self.config_path, cfg, 0o644)

    def _write_known_hosts(self) -> None:
        name = f"[{self.host}]:{self.port}"
        _write(self.known_hosts, f"{name} {_pubkey(self.host_key)}\n", 0o644)
        _write(self.wrong_known_hosts, f"{name} {_pubkey(self.wrong_host_key)}\n", 0o644)

    def _kill_leftover(self) -> None:
        """Kill an sshd left running from this base_dir by a crashed run."""
        try:
            with open(self.pid_file) as fh:
                pid = int(fh.read().strip())
        except (OSError, ValueError):
            return
        if _alive(pid) and self.config_path in _cmdline(pid):
            self._kill_tree(pid)
        try:
            os.unlink(self.pid_file)
        except OSError:
            pass

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> "SSHServer":
        if self.proc is not None and self.proc.poll() is None:
            return self
        self._prepare()
        fixed_port = self.port is not None
        attempts = 0
        while True:
            attempts += 1
            if not fixed_port:
                self.port = _free_port()
            self._write_config()
            self._write_known_hosts()
            err = self._spawn_and_wait()
            if err is None:
                break
            bind_race = "Address already in use" in err or "Cannot bind any address" in err
            if bind_race and attempts < (20 if fixed_port else 5):
                time.sleep(0.25 if fixed_port else 0)
                continue
            raise RuntimeError(f"sshd did not start on {self.host}:{self.port}:\n{err}")
        with _live_lock:
            _live_servers.add(self)
        return self

    def _spawn_and_wait(self) -> str | None:
        """Start sshd; None once it serves a banner, else an error text."""
        log_start = os.path.getsize(self.sshd_log) if os.path.exists(self.sshd_log) else 0
        self._log_fh = open(self.sshd_log, "ab", buffering=0)
        main_thread = threading.current_thread() is threading.main_thread()
        self.proc = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", self.config_path],
            stdin=subprocess.DEVNULL, stdout=self._log_fh, stderr=self._log_fh,
            close_fds=True, start_new_session=True,
            # If the test process dies, take the listener with it.  Only from the
            # main thread: PDEATHSIG fires when the *thread* that forked exits.
            preexec_fn=_set_pdeathsig if main_thread else None,
        )
        deadline = time.monotonic() + self.start_timeout
        last = "no connection attempt"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                last = f"sshd exited with code {self.proc.returncode}"
                break
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    s.settimeout(max(0.1, deadline - time.monotonic()))
                    banner = b""
                    while b"\n" not in banner:
                        chunk = s.recv(256)
                        if not chunk:
                            break
                        banner += chunk
                    if banner.startswith(b"SSH-"):
                        # Be polite: send our ident so sshd logs a clean close.
                        try:
                            s.sendall(b"SSH-2.0-docklight-probe\r\n")
                        except OSError:
                            pass
                        return None
                    last = f"unexpected banner {banner!r}"
            except OSError as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.02)
        else:
            last = f"timed out after {self.start_timeout}s ({last})"
        self._stop_proc()
        with open(self.sshd_log, "rb") as fh:
            fh.seek(log_start)
            log = fh.read().decode("utf-8", "replace")
        return f"{last}\n--- sshd stderr ({self.sshd_log}) ---\n{log}"

    def _kill_tree(self, pid: int) -> None:
        """Stop listener pid and every process below it (connections, commands)."""
        # Freeze the listener so it cannot fork new connections while we look.
        _signal([pid], signal.SIGSTOP)
        tree = _descendants(pid)
        _signal(tree, signal.SIGTERM)
        # Let the listener run again so it reaps its children (fewer zombies
        # left to init), then stop it.
        _signal([pid], signal.SIGCONT)
        _terminate(tree, timeout=3.0)
        _signal([pid], signal.SIGTERM)
        if self.proc is not None and self.proc.pid == pid:
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        elif _wait_gone([pid], 3.0):
            _signal([pid], signal.SIGKILL)
            _wait_gone([pid], 2.0)

    def _stop_proc(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self._kill_tree(self.proc.pid)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass
            self.proc = None
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None
        try:
            os.unlink(self.pid_file)
        except OSError:
            pass

    def stop(self) -> None:
        """Terminate sshd and all its connections and sessions; wait for them."""
        self._stop_proc()
        with _live_lock:
            _live_servers.discard(self)

    def restart(self) -> "SSHServer":
        """stop() + start() on the same port with the same host key."""
        self.stop()
        return self.start()

    def kill_connections(self, include_commands: bool = True) -> list[int]:
        """Drop every established SSH connection, keep the listener.

        include_commands=False kills only the per-connection sshd processes and
        leaves the forced commands running (as after a real network drop, see
        §0.7 of the CLI reference). Returns the pids signalled.
        """
        if self.proc is None or self.proc.poll() is not None:
            return []
        pid = self.proc.pid
        _signal([pid], signal.SIGSTOP)
        try:
            tree = _descendants(pid)
        finally:
            _signal([pid], signal.SIGCONT)
        conns = [p for p in tree if _comm(p).startswith("sshd")]
        others = [p for p in tree if p not in conns]
        _signal(conns, signal.SIGKILL)
        _wait_gone(conns, 3.0)
        if include_commands:
            _terminate(others)
            return tree
        return conns

    def cleanup(self) -> None:
        """stop() and remove the base dir if this object created it."""
        self.stop()
        if self._own_base_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> "SSHServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

    # ---------------------------------------------------------------- clients
    def ssh_opts(self, root: bool = False) -> str:
        """OpenSSH -o options to reach this server (key of the root target if root)."""
        key = self.root_key_path if root else self.key_path
        return " ".join([
            f"-o Port={self.port}",
            f"-o IdentityFile={shlex.quote(key)}",
            f"-o UserKnownHostsFile={shlex.quote(self.known_hosts)}",
            "-o StrictHostKeyChecking=yes",
            "-o IdentitiesOnly=yes",
        ])

    def ssh_argv(self, command: str | None = None, *, root: bool = False,
                 known_hosts: str | None = None, extra: list[str] | None = None) -> list[str]:
        """argv for the system ssh client: ssh ... user@127.0.0.1 [command]."""
        argv = [
            SSH, "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=yes", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=10",
            "-i", self.root_key_path if root else self.key_path,
            "-o", f"UserKnownHostsFile={known_hosts or self.known_hosts}",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-p", str(self.port),
            *(extra or []),
            f"{self.root_user if root else self.user}@{self.host}",
        ]
        if command is not None:
            argv.append(command)
        return argv

    def run(self, command: str, *, root: bool = False, timeout: float = 30,
            **kwargs) -> subprocess.CompletedProcess:
        """Run command over ssh, capturing text output."""
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.run(self.ssh_argv(command, root=root), timeout=timeout, **kwargs)

    def __repr__(self) -> str:
        return f"<SSHServer {self.target} base_dir={self.base_dir}>"

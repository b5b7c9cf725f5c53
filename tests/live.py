"""Run Docklight for real: gunicorn with the Procfile's command line."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Test-only additions: no control socket (several servers at once) and a
# short graceful timeout so stopping is quick.
TEST_FLAGS = ["--no-control-socket", "--graceful-timeout", "2"]


def procfile_command() -> list[str]:
    """Return the web command of the Procfile as argv."""
    with open(os.path.join(REPO, "Procfile")) as f:
        for line in f:
            if line.startswith("web:"):
                return shlex.split(line.split(":", 1)[1])
    raise AssertionError("Procfile has no web process")


def free_port() -> int:
    """Return a port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn -k gevent serving the app on a free port."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = procfile_command()
        argv[0] = os.path.join(os.path.dirname(sys.executable), argv[0])
        environ = {k: v for k, v in os.environ.items() if not k.startswith("DOCKLIGHT_")}
        environ.update(env)
        environ["PORT"] = str(self.port)
        self.log_path = os.path.join(env.get("DOCKLIGHT_DATA_DIR", "/tmp"), "gunicorn.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv + TEST_FLAGS, cwd=REPO, env=environ,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """Return what gunicorn and the app printed so far."""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, graceful: bool = False) -> None:
        """Stop gunicorn, then hard if it hangs.

        By default with SIGQUIT, gunicorn's quick shutdown: workers exit at once
        (worker_exit still runs, so running jobs are still interrupted and
        recorded). SIGTERM, the graceful stop Docker sends, lets every open
        connection idle up to --graceful-timeout first: a browser's kept-alive
        connection made each stop take seconds. Tests about stopping Docklight
        pass graceful=True.
        """
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM if graceful else signal.SIGQUIT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()



def websocket_client_class():
    """Return the WebSocket test client class (imports simple_websocket lazily)."""
    import simple_websocket

    class BrowserLikeClient(simple_websocket.Client):
        """simple_websocket's client, sending Host with the port as browsers do.

        simple_websocket sends `Host: 127.0.0.1` without the port, so an Origin
        check comparing scheme, host and port would (rightly) refuse it. It also
        handles frames that arrived in the same read as the handshake response
        (the server may send at once, then close): the stock client would leave
        them unread until more data came.
        """

        def handshake(self):
            if self.port not in (80, 443):
                self.host = f"{self.host}:{self.port}"
            super().handshake()
            # Still "connected" if a message came before the close: the reader
            # thread then sees the closed socket, and receive() returns it.
            self.connected = self._handle_events() or bool(self.input_buffer)

    return BrowserLikeClient


def websocket(url: str, headers: dict | None = None):
    """Open a WebSocket like a browser would."""
    return websocket_client_class().connect(url, headers=headers)

"""Lines from the worker that follows a stream to the workers that do not: a unix socket.

The worker whose upstream holds a stream's lease (docklight/logstream/lease.py)
listens on a unix socket in a private folder. Another worker's upstream, instead
of running its own ``logs --tail``, connects, names the stream in one JSON line
and from then on reads newline-delimited JSON: lines with the id, timestamp
and encoding the owner gave them (so a viewer resuming on any worker gets
the same ids), skip counts, the owner upstream's state changes, its final
event, and a heartbeat while nothing else is sent.

On the owner each connection is one more viewer of its registry, with the same
bounded queue: a relay that cannot keep up skips lines and passes the count
on, and the owner's upstream stays open while any relay (or local viewer) is
attached, then lingers as usual. When the owner dies its socket refuses new
connections and the open ones end, so a relaying upstream reconnects (the same
backoff as a dropped SSH connection) and one worker takes the lease over.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import tempfile
import threading
import time
from types import SimpleNamespace

from docklight.loglines import Line
from docklight.logstream.defaults import HEARTBEAT_SECONDS, POLL_SECONDS
from docklight.logstream.registry import StreamKey
from docklight.logstream.subscription import Skipped

# Longest unix socket path Linux accepts (sun_path is 108 bytes with the NUL).
MAX_SOCKET_PATH = 100
RELAY_SESSION = "relay"


def encode_items(items: list) -> bytes:
    """Turn queued items into relay messages, one JSON object per line."""
    out = []
    for item in items:
        if isinstance(item, Line):
            out.append({"t": "line", "i": item.id, "n": item.ts_ns, "j": item.json})
        elif isinstance(item, Skipped):
            out.append({"t": "skipped", "c": item.count})
        else:
            out.append({"t": "event", "e": item})
    return b"".join(json.dumps(m, separators=(",", ":")).encode() + b"\n" for m in out)


def socket_folder(data_dir: str) -> str:
    """Return a private folder for this worker's socket (the data folder if its path fits)."""
    folder = os.path.join(data_dir, "relay")
    if len(folder) + 40 <= MAX_SOCKET_PATH:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
        return folder
    return tempfile.mkdtemp(prefix="docklight-relay-")


def remove_dead_sockets(folder: str) -> None:
    """Remove sockets of workers that died (a socket whose listener is gone refuses)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.endswith(".sock"):
            continue
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.settimeout(1)
            probe.connect(entry.path)
        except ConnectionRefusedError:
            try:
                os.unlink(entry.path)
            except OSError:
                pass
        except OSError:
            pass
        finally:
            probe.close()


class RelayServer:
    """This worker's listening socket; each connection subscribes to the registry."""

    def __init__(self, registry, path: str, accepts, heartbeat: float = HEARTBEAT_SECONDS,
                 poll: float = POLL_SECONDS):
        self.registry = registry
        self.path = path
        self.accepts = accepts  # accepts(key) -> source factory, or None to refuse
        self.heartbeat = heartbeat
        self.poll = poll
        self._sock: socket.socket | None = None
        self._closed = False
        self._conns: set[socket.socket] = set()

    def start(self) -> None:
        """Listen and accept in the background."""
        # Bound and listening under a name the dead-socket sweep of another
        # worker ignores, then renamed into place: a .sock file always listens.
        staging = self.path + ".new"
        for stale in (self.path, staging):
            try:
                os.unlink(stale)
            except FileNotFoundError:
                pass
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(staging)
        os.chmod(staging, 0o600)
        sock.listen(64)
        os.rename(staging, self.path)
        self._sock = sock
        threading.Thread(target=self._accept, daemon=True, name="logs relay").start()

    def close(self) -> None:
        """Stop listening, end every relay connection and remove the socket file."""
        self._closed = True
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        for conn in list(self._conns):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True,
                             name="logs relay client").start()

    def _serve(self, conn: socket.socket) -> None:
        sub = None
        self._conns.add(conn)
        try:
            conn.settimeout(10)
            request = json.loads(conn.makefile("rb").readline() or b"{}")
            key = StreamKey(str(request["key"][0]), int(request["key"][1]),
                            str(request["key"][2]))
            factory = self.accepts(key, request.get("actor"))
            if factory is None:
                return  # the lease is not ours: the relay asks the lease again
            sub = self.registry.subscribe(key, session_id=RELAY_SESSION,
                                          source_factory=factory, internal=True)
            conn.settimeout(None)
            self._send(conn, sub)
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            pass
        finally:
            if sub is not None:
                self.registry.unsubscribe(sub)
            self._conns.discard(conn)
            conn.close()

    def _send(self, conn: socket.socket, sub) -> None:
        gone = threading.Event()
        threading.Thread(target=_watch_peer, args=(conn, sub, gone), daemon=True,
                         name="logs relay watch").start()
        next_beat = time.monotonic() + self.heartbeat
        while not self._closed and not gone.is_set():
            items = sub.get(timeout=max(0.0, min(self.poll, next_beat - time.monotonic())))
            if gone.is_set():
                return
            if items:
                conn.sendall(encode_items(items))
                if any(isinstance(i, dict) and i.get("final") for i in items):
                    return
            if time.monotonic() >= next_beat:
                conn.sendall(b'{"t":"heartbeat"}\n')
                next_beat = time.monotonic() + self.heartbeat


def _watch_peer(conn: socket.socket, sub, gone: threading.Event) -> None:
    """Wait for the relay to hang up (it sends nothing after its request), then wake sub."""
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass
    gone.set()
    sub.wake()


class RelayRun:
    """One connection to the owner's relay, iterated like a run of ``logs --tail``.

    Yields :class:`Line` (encoded by the owner), :class:`Skipped` and the
    owner upstream's state events (dicts). Ends when the owner closes; then
    ``final_event`` holds the owner's final event, if it sent one, and
    ``result`` says whether we cancelled.
    """

    via = "relay"
    drop_message = "The Docklight worker that follows these logs went away."

    def __init__(self, address: str, key, actor, heartbeat: float):
        self.command_display = f"relay of {key.app} from {address}"
        self.messages: list[str] = []
        self.result = None
        self.final_event: dict | None = None
        self._cancelled = False
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.settimeout(5)
            self._sock.connect(address)
            self._sock.sendall(json.dumps({"key": list(key), "actor": actor,
                                           "nonce": secrets.token_hex(4)}).encode() + b"\n")
            self._reader = self._sock.makefile("rb")
            # Open only once the owner's registry took us on: its hello comes first.
            self._sock.settimeout(10)
            hello = _hello(self._reader.readline())
            # Three missed heartbeats mean a hung owner: drop and ask the lease again.
            self._sock.settimeout(heartbeat * 3 + 5)
        except (OSError, ValueError):
            self._sock.close()
            raise ConnectionRefusedError(f"no relay of {key.app} at {address}") from None
        self._first = {"type": "state", "state": hello.get("state", "live"),
                       "message": hello.get("message", "")}

    def cancel(self) -> None:
        """Close the connection; the owner drops this viewer."""
        self._cancelled = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def __iter__(self):
        reader = self._reader
        try:
            yield self._first  # the owner's state as we joined
            for raw in reader:
                message = json.loads(raw)
                kind = message.get("t")
                if kind == "line":
                    yield Line.restore(message["i"], message["n"], message["j"])
                elif kind == "skipped":
                    yield Skipped(int(message["c"]))
                elif kind == "event":
                    event = message["e"]
                    if event.get("final"):
                        self.final_event = event
                        return
                    if event.get("type") in ("state", "backlog-end"):
                        yield event
        except (OSError, ValueError, KeyError):
            pass
        finally:
            self.result = SimpleNamespace(
                exit_code=None, status="cancelled" if self._cancelled else "dropped")
            reader.close()
            self._sock.close()


def _hello(raw: bytes) -> dict:
    """Return the owner's hello event from the relay's first message, or raise ValueError."""
    message = json.loads(raw or b"null")
    if not isinstance(message, dict) or message.get("t") != "event" \
            or message.get("e", {}).get("type") != "hello":
        raise ValueError("the owner did not accept the relay")
    return message["e"]

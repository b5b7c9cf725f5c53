"""SSH connections of their own for commands that follow forever (``logs --tail``).

A follow holds an SSH channel for as long as someone watches. On the shared
executor those channels would take the slots (and OpenSSH's sessions per
connection) that page reads need, so follows get connections of their own,
at most ``max_channels`` channels each; a connection closes when its last
follow ends. Other executors (local dokku, the demo) are used as they are.
"""

from __future__ import annotations

import threading

from docklight.dokku.executor import SSHExecutor


class ExecutorPool:
    """Hand out executors with a free channel, opening SSH connections as needed."""

    def __init__(self, base):
        self.base = base
        self._ssh = isinstance(base, SSHExecutor)
        self._per = base.settings.max_channels if self._ssh else 0
        self._entries: list[list] = []
        self._lock = threading.Lock()

    def acquire(self):
        """Return an executor with a free channel."""
        if not self._ssh:
            return self.base
        with self._lock:
            for entry in self._entries:
                if entry[1] < self._per:
                    entry[1] += 1
                    return entry[0]
            executor = SSHExecutor(self.base.target, self.base.settings, self.base.timeouts)
            self._entries.append([executor, 1])
            return executor

    def release(self, executor) -> None:
        """Give a channel back; close the connection when it has none left."""
        if not self._ssh:
            return
        with self._lock:
            for entry in self._entries:
                if entry[0] is executor:
                    entry[1] -= 1
                    if entry[1] <= 0:
                        self._entries.remove(entry)
                        break
                    return
            else:
                return
        executor.close()

    def close(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            entries, self._entries = self._entries, []
        for executor, _ in entries:
            executor.close()

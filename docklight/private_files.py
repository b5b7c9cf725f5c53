"""The data folder and its files are the service account's alone (0700 / 0600).

The folder holds the session signing secret, the demo password and the
sqlite database (command history, jobs, saved settings) with its WAL and
shared-memory files. Anyone else on the host who can read them can forge a
session or read what ran. So the folder is made 0700 and every file 0600,
and start-up stops with a message naming the file, its mode and the chmod
that fixes it when group or others were given access.

sqlite creates its -wal and -shm files with the database file's own mode,
so creating the database file 0600 before sqlite first opens it is enough.
"""

from __future__ import annotations

import os
import stat

DIR_MODE = 0o700
FILE_MODE = 0o600
# What Docklight itself keeps in the data folder.
PRIVATE_NAMES = ("secret_key", "demo-password", "docklight.sqlite3", "docklight.sqlite3-wal",
                 "docklight.sqlite3-shm", "docklight.sqlite3-migrate-lock")


def make_dir(path: str) -> None:
    """Create path (and parents) with mode 0700 unless it exists."""
    os.makedirs(path, mode=DIR_MODE, exist_ok=True)


def create_file(path: str) -> None:
    """Create an empty file with mode 0600 unless it exists (its mode is left alone then)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass


def exposed(data_dir: str) -> list[tuple[str, int, int]]:
    """Return (path, mode, wanted mode) for the folder and files others may access."""
    found = []
    for path, wanted in [(data_dir, DIR_MODE)] + [
            (os.path.join(data_dir, name), FILE_MODE) for name in PRIVATE_NAMES]:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            found.append((path, mode, wanted))
    return found


def refusal(data_dir: str) -> str | None:
    """Return the one-line reason not to start, or None when everything is private."""
    found = exposed(data_dir)
    if not found:
        return None
    path, mode, wanted = found[0]
    what = "folder" if wanted == DIR_MODE else "file"
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return (f"the data {what} {path} is open to other users (mode {mode:04o}){more}; it holds "
            f"secrets. Fix it with: chmod {wanted:o} {' '.join(p for p, _, _ in found)}")

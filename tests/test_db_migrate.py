"""Workers that boot together migrate one fresh database without tripping over each other.

gunicorn starts its workers at once and each runs the migrations (there is no
preload), so on a first start several processes open a database that does not
exist yet. Turning it into WAL needs the file to itself, and sqlite answers
"database is locked" at once there instead of waiting: a worker that lost
the race failed to boot (seen in CI as gunicorn exiting 3).
"""

from __future__ import annotations

import os
import subprocess
import sys

from docklight import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RACERS = 6
ROUNDS = 8

# Each racer waits for a go-file so that all of them open the database together.
RACER = """
import os, sys, time
from docklight import db
go, path = sys.argv[1], sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.0005)
print(db.migrate(path))
"""


def test_workers_starting_together_all_migrate_a_fresh_database(tmp_path):
    for round_ in range(ROUNDS):
        go = tmp_path / f"go-{round_}"
        path = str(tmp_path / f"fresh-{round_}.sqlite3")
        racers = [subprocess.Popen([sys.executable, "-c", RACER, str(go), path], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(RACERS)]
        # Let every racer import and reach its wait before starting them.
        subprocess.run([sys.executable, "-c", "import docklight.db"], cwd=ROOT, check=True)
        go.touch()
        results = [(p.wait(timeout=60), *p.communicate()) for p in racers]
        failed = [err for code, _, err in results if code != 0]
        assert not failed, failed[0]
        assert {out.strip() for _, out, _ in results} == {str(len(db.MIGRATIONS))}

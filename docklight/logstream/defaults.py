"""Defaults of the live-log fan-out; the app passes the validated settings (config.py)."""

LINES_CHOICES = (100, 500, 1000)
# Seconds an upstream stays open after its last viewer left.
LINGER_SECONDS = 5.0
# Seconds between app-level heartbeats, so the page can tell live from stale.
HEARTBEAT_SECONDS = 15.0
# Lines one viewer may have waiting before it starts skipping.
QUEUE_LINES = 2000
# Waits before reopening a dropped upstream (the last one repeats).
RETRY_SECONDS = (1, 2, 4, 8, 15, 30)
# Containers log in parallel, so lines are not globally time-ordered: a
# resuming viewer also gets lines up to this much older than what it has.
SINCE_SLACK_NS = 2_000_000_000
BATCH_LINES = 200  # lines per WebSocket message
POLL_SECONDS = 1.0  # how often a viewer notices its socket closed

"""How Dokku 0.38's storage plugin names the entry behind each mount, and so how to unmount it.

Since 0.38 (plugins/storage) a mount is an attachment of a storage entry to
a container path. `storage:mount app host:container` creates an entry named
`legacy-` + the first 10 hex digits of sha1(host) (sha1("vol:" + host) for
a docker volume name; entry.go LegacyMountToEntry). `storage:unmount app
host:container` derives that same name (subcommands.go unmountLegacyColon),
so it can only remove such legacy entries: a named entry (`storage:create`)
mounted at the same paths answers "Mount path does not exist." and must be
unmounted by name, `storage:unmount app NAME --container-dir PATH`.
"""

from __future__ import annotations

import hashlib
import re

LEGACY_PREFIX = "legacy-"
# entry.go dockerNamedVolumeRegexp: a volume token rather than a bind path.
DOCKER_VOLUME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")


def legacy_entry_name(host: str) -> str:
    """Return the entry name Dokku synthesizes for a colon-form mount of host."""
    key = host if host.startswith("/") else "vol:" + host
    return LEGACY_PREFIX + hashlib.sha1(key.encode()).hexdigest()[:10]


def mount_kind(host: str, entry_name: str) -> str:
    """Return "bind", "volume" (both colon-form, legacy entries) or "entry" (a named entry).

    A mount without an entry name comes from Dokku before 0.38, where every
    mount is a colon-form one.
    """
    if entry_name and entry_name != legacy_entry_name(host):
        return "entry"
    return "bind" if host.startswith("/") else "volume"

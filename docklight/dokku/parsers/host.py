"""The host vitals `dokku report` prints, read into one HostReport.

`dokku report` (plugins/00_dokku-standard/subcommands/report) is the only
Dokku command that shows the machine: a ``-----> name: value`` banner per
fact, with multi-line facts (``free -m``, ``df -h``, ``docker system info``,
``plugn list``) indented by seven spaces beneath their banner.  Nothing in it
is JSON, so each section is read by its own small rule, and a section that is
missing or unreadable leaves its field empty instead of failing the whole
report: a host with no swap, or a `df` of another shape, still shows the rest.
CPU load is not among the facts, so it is not read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docklight.dokku.parsers.text import has_dokku_prefix, lines, strip_ansi

DOKKU_DATA = "/var/lib/dokku"
_BANNER_RE = re.compile(r"^-----> (?P<name>[^:]+):\s?(?P<value>.*)$")
_SIZE_RE = re.compile(r"^(?P<num>\d+(?:[.,]\d+)?)(?P<unit>[KMGTPE]?)i?B?$", re.I)
_UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4,
          "P": 1024 ** 5, "E": 1024 ** 6}


@dataclass(frozen=True)
class Disk:
    """One `df -h` row: a filesystem, its sizes as printed and in bytes."""

    filesystem: str
    size: str
    used: str
    available: str
    use_percent: int | None
    mounted_on: str

    @property
    def available_bytes(self) -> int | None:
        """Return the free space in bytes, when df printed a size."""
        return to_bytes(self.available)


@dataclass(frozen=True)
class Memory:
    """The `free -m` figures in MiB."""

    total_mb: int
    used_mb: int
    available_mb: int | None
    swap_total_mb: int | None = None
    swap_used_mb: int | None = None

    @property
    def used_percent(self) -> int:
        """Return the share of memory not available to new programs."""
        if not self.total_mb:
            return 0
        free = self.available_mb if self.available_mb is not None else self.total_mb - self.used_mb
        return round(100 * (self.total_mb - free) / self.total_mb)


@dataclass(frozen=True)
class HostReport:
    """What `dokku report` says about the machine Dokku runs on."""

    uname: str = ""
    dokku_version: str = ""
    memory: Memory | None = None
    disks: tuple[Disk, ...] = ()
    docker_version: str = ""
    docker_root: str = ""
    cpus: int | None = None
    containers: int | None = None
    containers_running: int | None = None
    images: int | None = None
    plugins: tuple[tuple[str, str, bool], ...] = ()
    """(name, version, enabled) per plugn list row."""
    tools: dict[str, str] = field(default_factory=dict)
    """Other one-line versions: herokuish, plugn, sshcommand, ..."""
    warnings: tuple[str, ...] = ()
    """Dokku's own `` !     `` lines, such as a missing binary."""

    def disk_for(self, path: str) -> Disk | None:
        """Return the df row of the filesystem holding path (longest mount prefix)."""
        best = None
        for disk in self.disks:
            mount = disk.mounted_on.rstrip("/") + "/"
            if (path.rstrip("/") + "/").startswith(mount):
                if best is None or len(disk.mounted_on) > len(best.mounted_on):
                    best = disk
        return best


def to_bytes(text: str) -> int | None:
    """Turn df's human size (``44G``, ``1.5T``, ``512K``) into bytes; None if it is not one."""
    m = _SIZE_RE.match(text.strip())
    if not m:
        return None
    return int(float(m["num"].replace(",", ".")) * _UNITS[m["unit"].upper()])


def _sections(text: str) -> tuple[dict[str, tuple[str, list[str]]], list[str]]:
    """Split the report into {banner name: (value, indented lines)} and its warnings."""
    sections: dict[str, tuple[str, list[str]]] = {}
    warnings: list[str] = []
    current = None
    for raw in lines(strip_ansi(text)):
        if has_dokku_prefix(raw):
            warnings.append(raw.split("!", 1)[1].strip())
            continue
        m = _BANNER_RE.match(raw)
        if m:
            current = m["name"].strip()
            sections[current] = (m["value"].strip(), [])
        elif current is not None and raw.strip():
            sections[current][1].append(raw[7:] if raw.startswith(" " * 7) else raw.strip())
    return sections, warnings


def _int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def _memory(rows: list[str]) -> Memory | None:
    figures = {}
    for row in rows:
        words = row.split()
        if words and words[0] in ("Mem:", "Swap:"):
            figures[words[0]] = [_int(w) for w in words[1:]]
    mem = figures.get("Mem:")
    if not mem or len(mem) < 2 or mem[0] is None or mem[1] is None:
        return None
    swap = figures.get("Swap:") or [None, None]
    return Memory(total_mb=mem[0], used_mb=mem[1], available_mb=mem[5] if len(mem) > 5 else None,
                  swap_total_mb=swap[0], swap_used_mb=swap[1] if len(swap) > 1 else None)


def _disks(rows: list[str]) -> tuple[Disk, ...]:
    disks = []
    for row in rows[1:]:  # the first row is df's header
        words = row.split(None, 5)
        if len(words) == 6:
            percent = words[4].rstrip("%")
            disks.append(Disk(words[0], words[1], words[2], words[3], _int(percent), words[5]))
    return tuple(disks)


def _docker_info(rows: list[str]) -> dict[str, str]:
    info = {}
    in_server = False
    for row in rows:
        if row.strip() == "Server:":
            in_server = True
        key, sep, value = row.strip().partition(":")
        if sep and in_server and key not in info:
            info[key] = value.strip()
    return info


def _plugins(rows: list[str]) -> tuple[tuple[str, str, bool], ...]:
    found = []
    for row in rows:
        words = row.split()
        if len(words) >= 3 and words[2] in ("enabled", "disabled"):
            found.append((words[0], words[1], words[2] == "enabled"))
    return tuple(found)


def parse_host_report(text: str) -> HostReport:
    """Read `dokku report` output; sections it cannot read stay empty."""
    sections, warnings = _sections(text)
    get = lambda name: sections.get(name, ("", []))  # noqa: E731
    info = _docker_info(get("docker daemon info")[1])
    docker_version = next((row.split(":", 1)[1].strip() for row in get("docker version")[1]
                           if row.strip().startswith("Version:")), "")
    tools = {name.removesuffix(" version"): value for name, (value, rows) in sections.items()
             if name.endswith(" version") and value and name != "dokku version"}
    herokuish = get("herokuish version")[1]
    if herokuish:
        tools["herokuish"] = herokuish[0].split(":", 1)[-1].strip()
    return HostReport(
        uname=get("uname")[0],
        dokku_version=get("dokku version")[0].removeprefix("dokku version").strip(),
        memory=_memory(get("memory")[1]),
        disks=_disks(get("disk utilization")[1]),
        docker_version=docker_version,
        docker_root=info.get("Docker Root Dir", ""),
        cpus=_int(info.get("CPUs", "")),
        containers=_int(info.get("Containers", "")),
        containers_running=_int(info.get("Running", "")),
        images=_int(info.get("Images", "")),
        plugins=_plugins(get("dokku plugins")[1]),
        tools=tools,
        warnings=tuple(warnings),
    )

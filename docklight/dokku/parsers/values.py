"""Values that carry their own syntax: port maps, docker options, mounts.

They appear inside report properties (``ports-map``, ``docker-options-run``,
``storage-deploy-mounts``) and in list commands, so they are read here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docklight.dokku.parsers.text import ParseError, as_str, json_list


@dataclass(frozen=True, slots=True)
class PortMapping:
    """One ``scheme:host_port:container_port`` mapping."""

    scheme: str
    host_port: int
    container_port: int


_PORT_MAP_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(\d+):(\d+)$")


def ports_from_map(value: str) -> list[PortMapping]:
    """Parse a ``ports-map`` value like ``http:80:5000 https:443:5000``.

    Malformed items are skipped; ParseError only if nothing at all parses.
    """
    items = (value or "").split()
    out = []
    for item in items:
        m = _PORT_MAP_RE.match(item)
        if m:
            out.append(PortMapping(m.group(1).lower(), int(m.group(2)), int(m.group(3))))
    if items and not out:
        raise ParseError(f"no port mapping found in {value.strip()!r}")
    return out


def parse_ports_map_json(value: str) -> list[PortMapping]:
    """Parse a ``ports-map-json`` value (``[{"container_port":5000,...}]`` or ``null``)."""
    out = []
    for item in json_list(value, "ports map"):
        if not isinstance(item, dict):
            raise ParseError("port map JSON entries must be objects")
        try:
            out.append(PortMapping(
                scheme=as_str(item.get("scheme")).lower(),
                host_port=int(item.get("host_port")),
                container_port=int(item.get("container_port")),
            ))
        except (TypeError, ValueError):
            raise ParseError(f"invalid port map entry: {item!r}") from None
    return out


def _shell_words(value: str) -> list[str]:
    """Split on whitespace outside quotes, keeping the quotes in the words."""
    words: list[str] = []
    buf: list[str] = []
    quote = ""
    for ch in value:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            buf.append(ch)
        elif ch.isspace():
            if buf:
                words.append("".join(buf))
                buf = []
        else:
            buf.append(ch)
    if buf:
        words.append("".join(buf))
    return words


def split_docker_options(value: str) -> tuple[str, ...]:
    """Split a space-joined option string so ``-v /a:/b`` stays one item."""
    items: list[list[str]] = []
    for word in _shell_words(value or ""):
        if word.startswith("-") or not items:
            items.append([word])
        else:
            items[-1].append(word)
    return tuple(" ".join(parts) for parts in items)


@dataclass(frozen=True, slots=True)
class Mount:
    """A bind mount ``host_path:container_path[:options]``."""

    host_path: str
    container_path: str
    options: str = ""
    entry_name: str = ""  # Dokku 0.38+: the storage entry behind the mount


def _mount_from_spec(spec: str) -> Mount | None:
    parts = spec.strip().split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return Mount(parts[0], parts[1], ":".join(parts[2:]))


def parse_storage_mounts(value: str) -> list[Mount]:
    """Parse a ``storage-*-mounts`` report value (``-v a:b -v c:d:ro``)."""
    out = []
    for item in split_docker_options(value):
        spec = re.sub(r"^(?:-v|--volume)(?:\s+|=)", "", item)
        mount = _mount_from_spec(spec.strip("'\""))
        if mount:
            out.append(mount)
    return out

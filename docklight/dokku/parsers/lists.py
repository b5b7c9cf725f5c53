"""List commands: apps, process scale, config, mounts, certificates, plugins, datastores.

Each parser takes what one command printed, text or ``--format json`` where
Dokku has it, and returns plain values or small dataclasses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from docklight.dokku.parsers.text import (ParseError, as_bool, as_int, as_str, content_lines,
                                          has_dokku_prefix, is_banner, json_list, json_single,
                                          lines, normalize_key, split_words, strip_ansi)
from docklight.dokku.parsers.values import Mount

# ---------------------------------------------------------------------------
# apps / ps:scale / config
# ---------------------------------------------------------------------------


def parse_apps_list(text: str) -> list[str]:
    """Parse ``apps:list`` (``=====> My Apps`` header optional) into app names."""
    return [line.strip() for line in content_lines(text)]


def parse_apps_list_json(text: str) -> list[str]:
    """Parse ``apps:list --format json`` (``["a","b"]``, ``[]`` or ``null``)."""
    return [as_str(v) for v in json_list(text, "apps:list")]


def parse_buildpacks_list(text: str) -> list[str]:
    """Parse ``buildpacks:list`` (plugins/buildpacks CommandList: a header, one URL a line)."""
    return [line.strip() for line in content_lines(text)]


_SCALE_ROW_RE = re.compile(r"^\s*([^\s:]+):\s*(-?\d+)\s*$")


def parse_ps_scale(text: str) -> dict[str, int]:
    """Parse ``ps:scale <app>`` output (with or without ``--quiet``) into ``{proc: count}``."""
    out: dict[str, int] = {}
    for line in content_lines(text):
        m = _SCALE_ROW_RE.match(line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def parse_ps_scale_json(text: str) -> dict[str, int]:
    """Parse ``ps:scale --format json`` (``[{"process_type":..,"quantity":..}]``)."""
    out: dict[str, int] = {}
    for item in json_list(text, "ps:scale"):
        if not isinstance(item, dict) or "process_type" not in item:
            raise ParseError("ps:scale JSON entries need a process_type")
        out[as_str(item["process_type"])] = as_int(item.get("quantity"), 0)
    return out


def parse_config_export_json(text: str) -> dict[str, str]:
    """Parse ``config:export --format json`` (or ``json-list``) with values kept exactly."""
    value = json_single(text)
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): as_str(v) for k, v in value.items()}
    if isinstance(value, list):  # json-list: [{"name": .., "value": ..}]
        out: dict[str, str] = {}
        for item in value:
            if not isinstance(item, dict) or "name" not in item:
                raise ParseError("config json-list entries need a name")
            out[as_str(item["name"])] = as_str(item.get("value"))
        return out
    raise ParseError(f"expected a JSON object for config:export, got {type(value).__name__}")


# ---------------------------------------------------------------------------
# storage
# ---------------------------------------------------------------------------


def parse_storage_list_json(text: str) -> list[Mount]:
    """Parse ``storage:list --format json`` (``[]``/``null`` when none)."""
    out = []
    for item in json_list(text, "storage:list"):
        if not isinstance(item, dict):
            raise ParseError("storage JSON entries must be objects")
        options = as_str(item.get("volume_options")).strip()
        if as_bool(item.get("readonly")) and "ro" not in options.split(","):
            options = "ro" + ("," + options if options else "")
        out.append(Mount(as_str(item.get("host_path")), as_str(item.get("container_path")), options,
                         as_str(item.get("entry_name"))))
    return out


# ---------------------------------------------------------------------------
# letsencrypt
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LetsencryptEntry:
    """One row of ``letsencrypt:list`` (expiry is naive host-local time)."""

    app: str
    expiry: datetime | None
    time_before_expiry: str
    time_before_renewal: str


_LE_ROW_RE = re.compile(r"^(\S+)\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(.*)$")
_LE_DEFAULT_COLUMNS = (26, 52, 78)  # "%-25s %-25s %-25s %-25s"


def _le_columns(header: str) -> tuple[int, int, int]:
    """Column starts of expiry / time-before-expiry / renewal from the header."""
    cols = []
    for title in ("Certificate Expiry", "Time before expiry", "Time before renewal"):
        pos = header.find(title)
        if pos < 0:
            return _LE_DEFAULT_COLUMNS
        cols.append(pos)
    return (cols[0], cols[1], cols[2])


def parse_letsencrypt_list(text: str) -> list[LetsencryptEntry]:
    """Parse ``letsencrypt:list`` (fixed-width; long app names push columns right)."""
    columns = _LE_DEFAULT_COLUMNS
    out = []
    for line in lines(strip_ansi(text or "")):
        if not line.strip() or has_dokku_prefix(line):
            continue
        if is_banner(line):
            if "App name" in line:
                columns = _le_columns(line)
            continue
        m = _LE_ROW_RE.match(line)
        if not m:
            continue
        app, date, rest = m.groups()
        try:
            expiry: datetime | None = datetime.strptime(date, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            expiry = None
        if line.find(date) == columns[0] and len(line) > columns[1]:
            # Row is aligned with the header: slice so an empty duration stays empty.
            before_expiry = line[columns[1]:columns[2]].strip()
            before_renewal = line[columns[2]:].strip()
        else:
            parts = [p for p in re.split(r"\s{2,}", rest.strip()) if p]
            before_expiry = parts[0] if parts else ""
            before_renewal = " ".join(parts[1:])
        out.append(LetsencryptEntry(app, expiry, before_expiry, before_renewal))
    return out


# ---------------------------------------------------------------------------
# plugins
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plugin:
    """An installed Dokku plugin (``core`` is None when the text layout can't tell)."""

    name: str
    version: str
    enabled: bool
    core: bool | None
    description: str
    source_url: str = ""


def parse_plugin_list(text: str) -> list[Plugin]:
    """Parse ``plugin:list`` text: name, version, enabled/disabled, description."""
    out = []
    for line in content_lines(text):
        if line.strip().startswith("plugn:"):
            continue
        parts = line.split(None, 3)
        if len(parts) < 2:
            continue
        if parts[1] in ("enabled", "disabled"):  # no version printed
            name, version, status = parts[0], "", parts[1]
            description = line.split(None, 2)[2] if len(parts) > 2 else ""
        elif len(parts) >= 3 and parts[2] in ("enabled", "disabled"):
            name, version, status = parts[0], parts[1], parts[2]
            description = parts[3] if len(parts) > 3 else ""
        else:
            continue
        out.append(Plugin(name, version, status == "enabled", None, description.strip()))
    return out


def parse_plugin_list_json(text: str) -> list[Plugin]:
    """Parse ``plugin:list --format json`` (Dokku 0.38.22+)."""
    out = []
    for item in json_list(text, "plugin:list"):
        if not isinstance(item, dict) or "name" not in item:
            raise ParseError("plugin JSON entries need a name")
        core = item.get("core")
        out.append(Plugin(
            name=as_str(item["name"]),
            version=as_str(item.get("version")),
            enabled=as_bool(item.get("enabled")),
            core=None if core is None or core == "" else as_bool(core),
            description=as_str(item.get("description")),
            source_url=as_str(item.get("source_url")),
        ))
    return out


# ---------------------------------------------------------------------------
# datastore services (postgres, redis, mysql, mongo, ...)
# ---------------------------------------------------------------------------


def parse_service_list(text: str) -> list[str]:
    """Parse ``<datastore>:list``: one name per line (or the pre-2020 table's first column)."""
    out = []
    for line in content_lines(text):
        words = line.split()
        if words[0] == "NAME" and "VERSION" in words[1:]:
            continue  # header of the old table layout
        out.append(words[0])
    return out


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """``<datastore>:info <name>``; unknown labels are kept in ``extra``."""

    name: str
    plugin: str
    status: str
    version: str
    links: tuple[str, ...]
    dsn: str
    exposed_ports: tuple[str, ...]
    internal_ip: str
    id: str
    data_dir: str
    config_dir: str
    service_root: str
    extra: dict[str, str] = field(default_factory=dict)


_REPORT_LINE_RE = re.compile(r"^\s*([A-Za-z0-9_][A-Za-z0-9_ .-]*?)\s*:(.*)$")
_SERVICE_HEADER_RE = re.compile(r"^\s*=====>\s+(\S+)\s+(\S+)\s+service information\s*$")
_SERVICE_FIELDS = {
    "status": "status",
    "version": "version",
    "links": "links",
    "dsn": "dsn",
    "exposed-ports": "exposed_ports",
    "internal-ip": "internal_ip",
    "id": "id",
    "data-dir": "data_dir",
    "config-dir": "config_dir",
    "service-root": "service_root",
}


def parse_service_info(text: str) -> ServiceInfo:
    """Parse ``<datastore>:info`` (also the info block at the end of ``:create``)."""
    all_lines = lines(strip_ansi(text or ""))
    name = plugin = ""
    start = 0
    for i, line in enumerate(all_lines):
        m = _SERVICE_HEADER_RE.match(line)
        if m:
            name, plugin, start = m.group(1), m.group(2), i + 1
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    for line in all_lines[start:]:
        if not line.strip() or has_dokku_prefix(line):
            continue
        if is_banner(line):
            if start:
                break
            continue
        m = _REPORT_LINE_RE.match(line)
        if not m:
            continue
        key, value = normalize_key(m.group(1)), m.group(2).strip()
        if key in _SERVICE_FIELDS:
            values[_SERVICE_FIELDS[key]] = value
        else:
            extra[key] = value
    if not name and not values:
        raise ParseError("no service information found in Dokku output")

    def words(v: str) -> tuple[str, ...]:
        return () if v.strip() in ("", "-") else split_words(v)

    return ServiceInfo(
        name=name,
        plugin=plugin,
        status=values.get("status", ""),
        version=values.get("version", ""),
        links=words(values.get("links", "")),
        dsn=values.get("dsn", ""),
        exposed_ports=words(values.get("exposed_ports", "")),
        internal_ip=values.get("internal_ip", ""),
        id=values.get("id", ""),
        data_dir=values.get("data_dir", ""),
        config_dir=values.get("config_dir", ""),
        service_root=values.get("service_root", ""),
        extra=extra,
    )

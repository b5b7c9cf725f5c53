"""Pure parsers from Dokku's text and JSON output to frozen dataclasses.

Nothing here touches the network or the disk: every function takes the text a
command printed and returns plain values.  The formats follow
``dokku-cli-reference.md`` (Dokku 0.38.x, dokku-postgres 1.48, letsencrypt
0.25).  All parsers share the same tolerance rules, because output may come
through a pty (``\\r\\n``, stderr merged in) and padding changes per plugin:

* ``\\r\\n`` / ``\\r`` line endings are accepted;
* lines starting with `` !     `` (Dokku warnings, from stderr) are skipped;
* columns are never read at fixed offsets when a separator can be used;
* unknown keys are ignored (or kept in an ``extra``/``properties`` mapping).

``ParseError`` is raised only when the text cannot be interpreted at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "ParseError",
    # version
    "DokkuVersion", "parse_version",
    # generic reports
    "parse_report", "parse_report_json", "normalize_key",
    # ps
    "Container", "PsReport", "ps_report_from_text", "ps_report_from_json",
    "parse_ps_scale", "parse_ps_scale_json",
    # apps / domains / git
    "AppReport", "app_report_from_text", "app_report_from_json",
    "DomainsReport", "domains_report_from_text", "domains_report_from_json",
    "GitReport", "git_report_from_text", "git_report_from_json",
    "parse_apps_list", "parse_apps_list_json",
    # config
    "parse_config_export_json", "parse_config_keys",
    # ports / proxy
    "PortMapping", "ports_from_map", "parse_ports_report", "ports_from_report",
    "parse_ports_map_json", "parse_ports_list",
    "ProxyReport", "proxy_report_from_text", "proxy_report_from_json",
    # other reports
    "BuildpacksReport", "buildpacks_report_from_text", "buildpacks_report_from_json",
    "ChecksReport", "checks_report_from_text", "checks_report_from_json",
    "NetworkReport", "network_report_from_text", "network_report_from_json",
    "DockerOptions", "docker_options_from_text", "docker_options_from_json",
    "split_docker_options",
    "CertsReport", "certs_report_from_text", "certs_report_from_json",
    "ResourceReport", "resource_report_from_text", "resource_report_from_json",
    # storage
    "Mount", "parse_storage_list", "parse_storage_list_json", "parse_storage_mounts",
    # letsencrypt / plugins / services
    "LetsencryptEntry", "parse_letsencrypt_list",
    "Plugin", "parse_plugin_list", "parse_plugin_list_json",
    "ServiceInfo", "parse_service_list", "parse_service_info",
    # logs / ansi / errors
    "LogLine", "parse_log_line", "parse_log_lines",
    "strip_ansi", "ansi_segments", "parse_dokku_error",
]


class ParseError(ValueError):
    """Dokku output that cannot be interpreted at all."""


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------

# Dokku's warn/fail prefix is " !     "; accept a little drift in the spacing.
_WARNING_RE = re.compile(r"^\s{0,2}!(?: {1,5}|\t|$)")
_LINE_SPLIT_RE = re.compile(r"\r*\n|\r")
_TRUE = frozenset({"true", "yes", "on", "1", "enabled"})
_FALSE = frozenset({"false", "no", "off", "0", "disabled"})


def _lines(text: str) -> list[str]:
    """Split text on any line ending (pty output uses ``\\r\\n``)."""
    if not text:
        return []
    if "\r" not in text:  # the common case, several times faster than the regex
        return text.split("\n")
    return _LINE_SPLIT_RE.split(text)


def _is_warning(line: str) -> bool:
    return bool(_WARNING_RE.match(line))


def _is_banner(line: str) -> bool:
    """True for ``=====>``/``----->`` progress and header lines."""
    s = line.lstrip()
    return s.startswith("=====>") or s.startswith("----->")


def _content_lines(text: str) -> list[str]:
    """Lines that are neither blank, warnings nor banners, ANSI removed."""
    out = []
    for line in _lines(strip_ansi(text or "")):
        if not line.strip() or _is_warning(line) or _is_banner(line):
            continue
        out.append(line)
    return out


def _s(value: Any) -> str:
    """Coerce a JSON value to the string Dokku would have printed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _to_bool(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    v = _s(value).strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    return default


def _to_int(value: Any, default: int = 0) -> int:
    try:
        return int(_s(value).strip())
    except ValueError:
        return default


def _first(d: Mapping[str, Any], *keys: str) -> str:
    """First non-empty value among ``keys`` (stripped), else ``''``."""
    for key in keys:
        if key in d:
            v = _s(d[key]).strip()
            if v:
                return v
    return ""


def _has_any(d: Mapping[str, Any], *keys: str) -> bool:
    return any(k in d for k in keys)


def _keys(prefix: str, *names: str) -> tuple[str, ...]:
    """Lookup order for a report property.

    JSON reports use the name without the plugin prefix (``app-enabled``);
    text reports and the legacy JSON keys use the prefixed one
    (``domains-app-enabled``).  Both are tried, unprefixed first.
    """
    out: list[str] = []
    for name in names:
        out.append(name)
        out.append(f"{prefix}-{name}")
    return tuple(out)


def _from_unix(value: str) -> datetime | None:
    v = (value or "").strip()
    if not v:
        return None
    try:
        return datetime.fromtimestamp(int(float(v)), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def _split_words(value: str) -> tuple[str, ...]:
    return tuple(value.split())


def _split_list(value: str) -> tuple[str, ...]:
    """Split a comma and/or whitespace separated list, dropping blanks."""
    return tuple(p for p in re.split(r"[\s,]+", value.strip()) if p)


def _json_text(text: str) -> str:
    """Drop warning and banner lines that a pty may have merged into JSON."""
    kept = [
        line for line in _lines(text or "")
        if not _is_warning(line) and not _is_banner(line)
    ]
    return "\n".join(kept).strip()


def _json_values(text: str) -> list[Any]:
    """Decode every JSON value in ``text`` (JSON-lines or concatenated)."""
    body = _json_text(text)
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos = 0
    while True:
        while pos < len(body) and body[pos].isspace():
            pos += 1
        if pos >= len(body):
            return values
        try:
            value, pos = decoder.raw_decode(body, pos)
        except json.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON from Dokku: {exc}") from None
        values.append(value)


def _json_single(text: str) -> Any:
    """Decode exactly one JSON value; empty text gives ``None``."""
    values = _json_values(text)
    if not values:
        return None
    if len(values) > 1:
        raise ParseError(f"expected one JSON value, got {len(values)}")
    return values[0]


def _json_list(text: str, what: str) -> list[Any]:
    value = _json_single(text)
    if value is None:  # Go marshals an empty slice as null in some commands
        return []
    if not isinstance(value, list):
        raise ParseError(f"expected a JSON array for {what}, got {type(value).__name__}")
    return value


# ---------------------------------------------------------------------------
# version
# ---------------------------------------------------------------------------

_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True, slots=True)
class DokkuVersion:
    """A Dokku version; unknown versions (``master``) are 0.0.0 with ``raw`` kept."""

    raw: str
    major: int = 0
    minor: int = 0
    patch: int = 0

    def as_tuple(self) -> tuple[int, int, int]:
        """Return ``(major, minor, patch)``."""
        return (self.major, self.minor, self.patch)

    def at_least(self, major: int, minor: int = 0, patch: int = 0) -> bool:
        """Return True if this version is >= ``major.minor.patch``."""
        return self.as_tuple() >= (major, minor, patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse_version(text: str) -> DokkuVersion:
    """Parse ``dokku version`` output; never raises."""
    raw = ""
    for line in _lines(strip_ansi(text or "")):
        if not line.strip() or _is_warning(line):
            continue
        raw = re.sub(r"^\s*dokku\s+version\s*", "", line, flags=re.I).strip()
        break
    m = _VERSION_RE.match(raw) or _VERSION_RE.search(raw)
    if not m:
        return DokkuVersion(raw=raw)
    return DokkuVersion(
        raw=raw,
        major=int(m.group(1)),
        minor=int(m.group(2)),
        patch=int(m.group(3) or 0),
    )


# ---------------------------------------------------------------------------
# Standard :report format
# ---------------------------------------------------------------------------

_REPORT_HEADER_RE = re.compile(r"^\s*=====>\s+(\S+)\s+(\S+)\s+information\s*$")
# A label is made of the flag's words: letters, digits, '_' and spaces.
_REPORT_LINE_RE = re.compile(r"^\s*([A-Za-z0-9_][A-Za-z0-9_ .-]*?)\s*:(.*)$")
_REPORT_LABEL_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .-]*\Z")


def normalize_key(label: str) -> str:
    """Turn a report label (``Ps computed procfile path``) into ``ps-computed-procfile-path``."""
    return "-".join(label.strip().lower().split())


def parse_report(text: str) -> dict[str, dict[str, str]]:
    """Parse ``<plugin>:report`` text (one app, all apps, ``--global`` or ``--quiet``).

    Returns ``{app: {normalized-key: value}}``; ``--global`` reports are keyed
    ``"--global"`` and a header-less (``--quiet``) report is keyed ``""``.
    Empty output (e.g. ``resource:report`` with nothing set) gives ``{}``.
    A quiet all-apps report cannot be split per app; its blocks merge under ``""``.
    """
    result: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    unparsed = 0
    if "\x1b" in text:
        text = strip_ansi(text)
    # The dashboard parses thousands of these lines per load: cheap string
    # tests first, the regular expressions only for lines that need them.
    for line in _lines(text or ""):
        stripped = line.strip()
        if not stripped or (stripped[0] == "!" and _is_warning(line)):
            continue
        if stripped.startswith("=====>"):
            header = _REPORT_HEADER_RE.match(line)
            if header:
                current = result.setdefault(header.group(1), {})
            continue
        if stripped.startswith("----->"):
            continue
        label, sep, value = stripped.partition(":")
        if not sep or not _REPORT_LABEL_RE.match(label):
            unparsed += 1
            continue
        if current is None:
            current = result.setdefault("", {})
        current["-".join(label.lower().split())] = value.strip()
    if not result and unparsed:
        raise ParseError("no report lines found in Dokku output")
    return result


def parse_report_json(text: str) -> list[dict[str, str]]:
    """Parse ``:report --format json`` output: one JSON object per line (all-apps mode)."""
    out: list[dict[str, str]] = []
    for value in _json_values(text):
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, dict):
                raise ParseError(f"expected JSON objects in report, got {type(item).__name__}")
            out.append({str(k): _s(v) for k, v in item.items()})
    return out


def _reports_from_text(text: str, build) -> dict:
    return {app: build(values) for app, values in parse_report(text).items()}


# ---------------------------------------------------------------------------
# ps
# ---------------------------------------------------------------------------

# Text keys are ``status-web-1`` (after normalization), JSON keys
# ``status-web.1``; a process type may itself contain '-', so the LAST
# separator followed by digits is the index.
_STATUS_KEY_RE = re.compile(r"^status-(.+)[-.](\d+)$")
_STATUS_VALUE_RE = re.compile(r"^(\S*)\s*(?:\(\s*CID:\s*([^)\s]*)\s*\))?")


@dataclass(frozen=True, slots=True)
class Container:
    """One container line of ``ps:report`` (``Status web 1: running (CID: …)``)."""

    proc_type: str
    index: int
    state: str
    cid: str

    @property
    def is_running(self) -> bool:
        """True when Docker reports the container as running."""
        return self.state == "running"


@dataclass(frozen=True, slots=True)
class PsReport:
    """Process state of one app from ``ps:report``."""

    deployed: bool
    running: str  # 'true' | 'false' | 'mixed'
    processes: int
    restore: bool
    restart_policy: str
    containers: tuple[Container, ...] = ()

    @property
    def counts(self) -> dict[str, tuple[int, int]]:
        """Map process type to ``(running, total)`` containers, sorted by type."""
        acc: dict[str, list[int]] = {}
        for c in self.containers:
            pair = acc.setdefault(c.proc_type, [0, 0])
            pair[1] += 1
            if c.is_running:
                pair[0] += 1
        return {k: (acc[k][0], acc[k][1]) for k in sorted(acc)}

    @property
    def status(self) -> str:
        """One of 'running', 'stopped', 'not deployed', 'partly running'."""
        if not self.deployed:
            return "not deployed"
        if self.running == "mixed":
            return "partly running"
        if self.containers:
            up = sum(1 for c in self.containers if c.is_running)
            if up == len(self.containers):
                return "running"
            return "partly running" if up else "stopped"
        # Schedulers other than docker-local report no per-container status.
        return "running" if self.running == "true" else "stopped"


def _parse_container(proc_type: str, index: str, value: str) -> Container:
    m = _STATUS_VALUE_RE.match(value.strip())
    state, cid = (m.group(1), m.group(2) or "") if m else (value.strip(), "")
    return Container(proc_type=proc_type, index=int(index), state=state.lower(), cid=cid)


def _ps_from_mapping(d: Mapping[str, Any]) -> PsReport:
    containers = []
    for key, value in d.items():
        m = _STATUS_KEY_RE.match(key)
        if m:
            containers.append(_parse_container(m.group(1), m.group(2), _s(value)))
    containers.sort(key=lambda c: (c.proc_type, c.index))

    running = _first(d, "running").lower()
    if running not in ("true", "false", "mixed"):
        up = sum(1 for c in containers if c.is_running)
        if not containers or up == 0:
            running = "false"
        else:
            running = "true" if up == len(containers) else "mixed"

    processes_raw = _first(d, "processes")
    return PsReport(
        deployed=_to_bool(_first(d, "deployed")),
        running=running,
        processes=_to_int(processes_raw, len(containers)) if processes_raw else len(containers),
        restore=_to_bool(_first(d, "restore"), default=True),
        restart_policy=_first(
            d, *_keys("ps", "computed-restart-policy", "restart-policy", "global-restart-policy")
        ),
        containers=tuple(containers),
    )


def ps_report_from_text(text: str) -> dict[str, PsReport]:
    """Parse ``ps:report`` text (single app or all apps) into ``{app: PsReport}``."""
    return _reports_from_text(text, _ps_from_mapping)


def ps_report_from_json(obj: Mapping[str, Any]) -> PsReport:
    """Build a PsReport from one ``ps:report --format json`` object (or a parse_report block)."""
    return _ps_from_mapping(obj)


_SCALE_ROW_RE = re.compile(r"^\s*([^\s:]+):\s*(-?\d+)\s*$")


def parse_ps_scale(text: str) -> dict[str, int]:
    """Parse ``ps:scale <app>`` output (with or without ``--quiet``) into ``{proc: count}``."""
    out: dict[str, int] = {}
    for line in _content_lines(text):
        m = _SCALE_ROW_RE.match(line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def parse_ps_scale_json(text: str) -> dict[str, int]:
    """Parse ``ps:scale --format json`` (``[{"process_type":..,"quantity":..}]``)."""
    out: dict[str, int] = {}
    for item in _json_list(text, "ps:scale"):
        if not isinstance(item, dict) or "process_type" not in item:
            raise ParseError("ps:scale JSON entries need a process_type")
        out[_s(item["process_type"])] = _to_int(item.get("quantity"), 0)
    return out


# ---------------------------------------------------------------------------
# apps / domains / git
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppReport:
    """Selected ``apps:report`` properties."""

    created_at: datetime | None
    deploy_source: str
    locked: bool
    dir: str


def _app_from_mapping(d: Mapping[str, Any]) -> AppReport:
    return AppReport(
        created_at=_from_unix(_first(d, *_keys("app", "created-at"))),
        deploy_source=_first(d, *_keys("app", "deploy-source")),
        locked=_to_bool(_first(d, *_keys("app", "locked"))),
        dir=_first(d, *_keys("app", "dir")),
    )


def app_report_from_text(text: str) -> dict[str, AppReport]:
    """Parse ``apps:report`` text into ``{app: AppReport}``."""
    return _reports_from_text(text, _app_from_mapping)


def app_report_from_json(obj: Mapping[str, Any]) -> AppReport:
    """Build an AppReport from one ``apps:report --format json`` object."""
    return _app_from_mapping(obj)


@dataclass(frozen=True, slots=True)
class DomainsReport:
    """``domains:report`` of one app."""

    app_enabled: bool
    app_vhosts: tuple[str, ...]
    global_enabled: bool
    global_vhosts: tuple[str, ...]


def _domains_from_mapping(d: Mapping[str, Any]) -> DomainsReport:
    return DomainsReport(
        app_enabled=_to_bool(_first(d, *_keys("domains", "app-enabled"))),
        app_vhosts=_split_words(_first(d, *_keys("domains", "app-vhosts"))),
        global_enabled=_to_bool(_first(d, *_keys("domains", "global-enabled"))),
        global_vhosts=_split_words(_first(d, *_keys("domains", "global-vhosts"))),
    )


def domains_report_from_text(text: str) -> dict[str, DomainsReport]:
    """Parse ``domains:report`` text into ``{app: DomainsReport}``."""
    return _reports_from_text(text, _domains_from_mapping)


def domains_report_from_json(obj: Mapping[str, Any]) -> DomainsReport:
    """Build a DomainsReport from one ``domains:report --format json`` object."""
    return _domains_from_mapping(obj)


@dataclass(frozen=True, slots=True)
class GitReport:
    """Selected ``git:report`` properties (``last_updated_at`` is UTC)."""

    deploy_branch: str
    sha: str
    last_updated_at: datetime | None
    source_image: str


def _git_from_mapping(d: Mapping[str, Any]) -> GitReport:
    return GitReport(
        deploy_branch=_first(
            d, *_keys("git", "computed-deploy-branch", "deploy-branch", "global-deploy-branch")
        ),
        sha=_first(d, *_keys("git", "sha")),
        last_updated_at=_from_unix(_first(d, *_keys("git", "last-updated-at"))),
        source_image=_first(d, *_keys("git", "source-image")),
    )


def git_report_from_text(text: str) -> dict[str, GitReport]:
    """Parse ``git:report`` text into ``{app: GitReport}``."""
    return _reports_from_text(text, _git_from_mapping)


def git_report_from_json(obj: Mapping[str, Any]) -> GitReport:
    """Build a GitReport from one ``git:report --format json`` object."""
    return _git_from_mapping(obj)


def parse_apps_list(text: str) -> list[str]:
    """Parse ``apps:list`` (``=====> My Apps`` header optional) into app names."""
    return [line.strip() for line in _content_lines(text)]


def parse_apps_list_json(text: str) -> list[str]:
    """Parse ``apps:list --format json`` (``["a","b"]``, ``[]`` or ``null``)."""
    return [_s(v) for v in _json_list(text, "apps:list")]


# ---------------------------------------------------------------------------
# config
# ---------------------------------------------------------------------------

_CONFIG_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_config_export_json(text: str) -> dict[str, str]:
    """Parse ``config:export --format json`` (or ``json-list``) with values kept exactly."""
    value = _json_single(text)
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): _s(v) for k, v in value.items()}
    if isinstance(value, list):  # json-list: [{"name": .., "value": ..}]
        out: dict[str, str] = {}
        for item in value:
            if not isinstance(item, dict) or "name" not in item:
                raise ParseError("config json-list entries need a name")
            out[_s(item["name"])] = _s(item.get("value"))
        return out
    raise ParseError(f"expected a JSON object for config:export, got {type(value).__name__}")


def parse_config_keys(text: str) -> list[str]:
    """Parse ``config:keys`` output (one key per line)."""
    return [line.strip() for line in _content_lines(text) if _CONFIG_KEY_RE.match(line.strip())]


# ---------------------------------------------------------------------------
# ports / proxy
# ---------------------------------------------------------------------------


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
    for item in _json_list(value, "ports map"):
        if not isinstance(item, dict):
            raise ParseError("port map JSON entries must be objects")
        try:
            out.append(PortMapping(
                scheme=_s(item.get("scheme")).lower(),
                host_port=int(item.get("host_port")),
                container_port=int(item.get("container_port")),
            ))
        except (TypeError, ValueError):
            raise ParseError(f"invalid port map entry: {item!r}") from None
    return out


def ports_from_report(d: Mapping[str, Any]) -> list[PortMapping]:
    """Effective port mappings of one ``ports:report`` block (text or JSON).

    The configured map wins; the detected map is the fallback, as in Dokku.
    """
    for names in (("map-json", "map"), ("map-detected-json", "map-detected")):
        json_value = _first(d, *_keys("ports", names[0]))
        if json_value and json_value != "null":
            found = parse_ports_map_json(json_value)
        else:
            found = ports_from_map(_first(d, *_keys("ports", names[1])))
        if found:
            return found
    return []


def parse_ports_report(text: str) -> list[PortMapping]:
    """Parse either a bare ``--ports-map`` value or a single-app ``ports:report`` text."""
    if re.search(r"^\s*(=====>|ports map\b)", text or "", flags=re.M | re.I):
        blocks = parse_report(text)
        if len(blocks) > 1:
            raise ParseError("parse_ports_report expects a single-app report")
        return ports_from_report(next(iter(blocks.values()), {}))
    lines = _content_lines(text)
    return ports_from_map(" ".join(lines))


def parse_ports_list(text: str) -> list[PortMapping]:
    """Parse the ``ports:list <app>`` table (scheme, host port, container port)."""
    out = []
    for line in _content_lines(text):
        parts = line.split()
        if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
            continue
        out.append(PortMapping(parts[0].lower(), int(parts[1]), int(parts[2])))
    return out


@dataclass(frozen=True, slots=True)
class ProxyReport:
    """``proxy:report`` essentials: whether the proxy is on and which one."""

    enabled: bool
    type: str


def _proxy_from_mapping(d: Mapping[str, Any]) -> ProxyReport:
    if _has_any(d, *_keys("proxy", "enabled")):
        enabled = _to_bool(_first(d, *_keys("proxy", "enabled")), default=True)
    elif _has_any(d, *_keys("proxy", "disabled")):
        enabled = not _to_bool(_first(d, *_keys("proxy", "disabled")))
    else:
        enabled = True
    kind = _first(d, *_keys("proxy", "computed-type", "type", "global-type")) or "nginx"
    return ProxyReport(enabled=enabled, type=kind)


def proxy_report_from_text(text: str) -> dict[str, ProxyReport]:
    """Parse ``proxy:report`` text into ``{app: ProxyReport}``."""
    return _reports_from_text(text, _proxy_from_mapping)


def proxy_report_from_json(obj: Mapping[str, Any]) -> ProxyReport:
    """Build a ProxyReport from a ``proxy:report`` JSON object or parse_report block."""
    return _proxy_from_mapping(obj)


# ---------------------------------------------------------------------------
# buildpacks / checks / network / docker-options / certs / resource
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuildpacksReport:
    """``buildpacks:report``: configured buildpack URLs and the effective stack."""

    list: tuple[str, ...]
    stack: str


def _buildpacks_from_mapping(d: Mapping[str, Any]) -> BuildpacksReport:
    raw = _first(d, *_keys("buildpacks", "list"))
    return BuildpacksReport(
        list=tuple(p.strip() for p in raw.split(",") if p.strip()),
        stack=_first(d, *_keys("buildpacks", "computed-stack", "stack", "global-stack")),
    )


def buildpacks_report_from_text(text: str) -> dict[str, BuildpacksReport]:
    """Parse ``buildpacks:report`` text into ``{app: BuildpacksReport}``."""
    return _reports_from_text(text, _buildpacks_from_mapping)


def buildpacks_report_from_json(obj: Mapping[str, Any]) -> BuildpacksReport:
    """Build a BuildpacksReport from a JSON object or parse_report block."""
    return _buildpacks_from_mapping(obj)


@dataclass(frozen=True, slots=True)
class ChecksReport:
    """``checks:report``: process types with checks disabled/skipped, retire delay (s)."""

    disabled: tuple[str, ...]
    skipped: tuple[str, ...]
    wait_to_retire: int | None


def _check_list(value: str) -> tuple[str, ...]:
    return () if value.strip().lower() in ("", "none") else _split_list(value)


def _checks_from_mapping(d: Mapping[str, Any]) -> ChecksReport:
    wait = _first(d, *_keys("checks", "computed-wait-to-retire", "wait-to-retire",
                            "global-wait-to-retire"))
    return ChecksReport(
        disabled=_check_list(_first(d, *_keys("checks", "disabled-list"))),
        skipped=_check_list(_first(d, *_keys("checks", "skipped-list"))),
        wait_to_retire=_to_int(wait) if wait.lstrip("-").isdigit() else None,
    )


def checks_report_from_text(text: str) -> dict[str, ChecksReport]:
    """Parse ``checks:report`` text into ``{app: ChecksReport}``."""
    return _reports_from_text(text, _checks_from_mapping)


def checks_report_from_json(obj: Mapping[str, Any]) -> ChecksReport:
    """Build a ChecksReport from a JSON object or parse_report block."""
    return _checks_from_mapping(obj)


def _strip_prefix(d: Mapping[str, Any], prefix: str) -> dict[str, str]:
    """Keys without ``<prefix>-``; an unprefixed (new JSON) key wins over a legacy one."""
    out: dict[str, str] = {}
    tag = prefix + "-"
    for key, value in d.items():
        if not key.startswith(tag):
            out[key] = _s(value)
    for key, value in d.items():
        if key.startswith(tag):
            out.setdefault(key[len(tag):], _s(value))
    return out


@dataclass(frozen=True, slots=True)
class NetworkReport:
    """``network:report`` properties keyed without the ``network-`` prefix."""

    properties: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        """Return one property (e.g. ``computed-initial-network``)."""
        return self.properties.get(name, default)

    @property
    def web_listeners(self) -> tuple[str, ...]:
        """``ip:port`` listeners of the web process."""
        return _split_words(self.properties.get("web-listeners", ""))


def network_report_from_text(text: str) -> dict[str, NetworkReport]:
    """Parse ``network:report`` text into ``{app: NetworkReport}``."""
    return _reports_from_text(text, network_report_from_json)


def network_report_from_json(obj: Mapping[str, Any]) -> NetworkReport:
    """Build a NetworkReport from a JSON object or parse_report block."""
    return NetworkReport(properties=_strip_prefix(obj, "network"))


@dataclass(frozen=True, slots=True)
class DockerOptions:
    """``docker-options:report``: options per phase, one item per option."""

    build: tuple[str, ...]
    deploy: tuple[str, ...]
    run: tuple[str, ...]


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


def _docker_options_from_mapping(d: Mapping[str, Any]) -> DockerOptions:
    return DockerOptions(
        build=split_docker_options(_first(d, *_keys("docker-options", "build"))),
        deploy=split_docker_options(_first(d, *_keys("docker-options", "deploy"))),
        run=split_docker_options(_first(d, *_keys("docker-options", "run"))),
    )


def docker_options_from_text(text: str) -> dict[str, DockerOptions]:
    """Parse ``docker-options:report`` text into ``{app: DockerOptions}``."""
    return _reports_from_text(text, _docker_options_from_mapping)


def docker_options_from_json(obj: Mapping[str, Any]) -> DockerOptions:
    """Build DockerOptions from a JSON object or parse_report block."""
    return _docker_options_from_mapping(obj)


@dataclass(frozen=True, slots=True)
class CertsReport:
    """``certs:report`` (report type ``ssl``); dates are kept as printed by openssl."""

    dir: str
    enabled: bool
    hostnames: tuple[str, ...]
    expires_at: str
    issuer: str
    starts_at: str
    subject: str
    verified: str
    fingerprint: str = ""
    serial: str = ""


def _certs_from_mapping(d: Mapping[str, Any]) -> CertsReport:
    def get(name: str) -> str:
        return _first(d, *_keys("ssl", name))

    return CertsReport(
        dir=get("dir"),
        enabled=_to_bool(get("enabled")),
        hostnames=_split_words(get("hostnames")),
        expires_at=get("expires-at"),
        issuer=get("issuer"),
        starts_at=get("starts-at"),
        subject=get("subject"),
        verified=get("verified"),
        fingerprint=get("fingerprint"),
        serial=get("serial"),
    )


def certs_report_from_text(text: str) -> dict[str, CertsReport]:
    """Parse ``certs:report`` text into ``{app: CertsReport}``."""
    return _reports_from_text(text, _certs_from_mapping)


def certs_report_from_json(obj: Mapping[str, Any]) -> CertsReport:
    """Build a CertsReport from a JSON object or parse_report block."""
    return _certs_from_mapping(obj)


# Text: ``resource-web-limit-memory`` (or ``web-limit-memory`` on old Dokku);
# JSON: ``web.limit.memory`` and legacy ``resource-web.limit.memory``.
# The process type is greedy so the LAST limit/reserve word is the split.
_RESOURCE_KEY_RE = re.compile(r"^(?:resource[-.])?(.+)[-.](limit|reserve)[-.](.+)$")


@dataclass(frozen=True, slots=True)
class ResourceReport:
    """``resource:report``: ``{proc: {'limit': {res: value}, 'reserve': {res: value}}}``."""

    processes: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def limit(self, proc: str, resource: str) -> str:
        """Return the limit of ``resource`` for ``proc`` ('' if unset)."""
        return self.processes.get(proc, {}).get("limit", {}).get(resource, "")

    def reserve(self, proc: str, resource: str) -> str:
        """Return the reservation of ``resource`` for ``proc`` ('' if unset)."""
        return self.processes.get(proc, {}).get("reserve", {}).get(resource, "")


def resource_report_from_json(obj: Mapping[str, Any]) -> ResourceReport:
    """Build a ResourceReport from a JSON object or parse_report block."""
    procs: dict[str, dict[str, dict[str, str]]] = {}
    # Unprefixed keys first so they win over legacy duplicates.
    for key in sorted(obj, key=lambda k: k.startswith("resource")):
        m = _RESOURCE_KEY_RE.match(key)
        value = _s(obj[key]).strip()
        if not m or not value:
            continue
        proc, kind, res = m.groups()
        entry = procs.setdefault(proc, {"limit": {}, "reserve": {}})
        entry[kind].setdefault(res, value)
    return ResourceReport(processes={p: procs[p] for p in sorted(procs)})


def resource_report_from_text(text: str) -> dict[str, ResourceReport]:
    """Parse ``resource:report`` text; an app without settings prints nothing (``{}``)."""
    return _reports_from_text(text, resource_report_from_json)


# ---------------------------------------------------------------------------
# storage
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mount:
    """A bind mount ``host_path:container_path[:options]``."""

    host_path: str
    container_path: str
    options: str = ""


def _mount_from_spec(spec: str) -> Mount | None:
    parts = spec.strip().split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return Mount(parts[0], parts[1], ":".join(parts[2:]))


def parse_storage_list(text: str) -> list[Mount]:
    """Parse ``storage:list <app>`` text (header optional under ``--quiet``)."""
    out = []
    for line in _content_lines(text):
        mount = _mount_from_spec(line)
        if mount:
            out.append(mount)
    return out


def parse_storage_list_json(text: str) -> list[Mount]:
    """Parse ``storage:list --format json`` (``[]``/``null`` when none)."""
    out = []
    for item in _json_list(text, "storage:list"):
        if not isinstance(item, dict):
            raise ParseError("storage JSON entries must be objects")
        options = _s(item.get("volume_options")).strip()
        if _to_bool(item.get("readonly")) and "ro" not in options.split(","):
            options = "ro" + ("," + options if options else "")
        out.append(Mount(_s(item.get("host_path")), _s(item.get("container_path")), options))
    return out


def parse_storage_mounts(value: str) -> list[Mount]:
    """Parse a ``storage-*-mounts`` report value (``-v a:b -v c:d:ro``)."""
    out = []
    for item in split_docker_options(value):
        spec = re.sub(r"^(?:-v|--volume)(?:\s+|=)", "", item)
        mount = _mount_from_spec(spec.strip("'\""))
        if mount:
            out.append(mount)
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
    for line in _lines(strip_ansi(text or "")):
        if not line.strip() or _is_warning(line):
            continue
        if _is_banner(line):
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
    for line in _content_lines(text):
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
    for item in _json_list(text, "plugin:list"):
        if not isinstance(item, dict) or "name" not in item:
            raise ParseError("plugin JSON entries need a name")
        core = item.get("core")
        out.append(Plugin(
            name=_s(item["name"]),
            version=_s(item.get("version")),
            enabled=_to_bool(item.get("enabled")),
            core=None if core is None or core == "" else _to_bool(core),
            description=_s(item.get("description")),
            source_url=_s(item.get("source_url")),
        ))
    return out


# ---------------------------------------------------------------------------
# datastore services (postgres, redis, mysql, mongo, ...)
# ---------------------------------------------------------------------------


def parse_service_list(text: str) -> list[str]:
    """Parse ``<datastore>:list``: one name per line (or the pre-2020 table's first column)."""
    out = []
    for line in _content_lines(text):
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
    lines = _lines(strip_ansi(text or ""))
    name = plugin = ""
    start = 0
    for i, line in enumerate(lines):
        m = _SERVICE_HEADER_RE.match(line)
        if m:
            name, plugin, start = m.group(1), m.group(2), i + 1
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    for line in lines[start:]:
        if not line.strip() or _is_warning(line):
            continue
        if _is_banner(line):
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
        return () if v.strip() in ("", "-") else _split_words(v)

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


# ---------------------------------------------------------------------------
# logs and ANSI
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogLine:
    """One ``dokku logs`` line; quiet/raw lines have only ``message``."""

    timestamp: str
    app: str
    process: str
    message: str
    color: int | None = None


_LOG_RE = re.compile(
    r"^(?:\x1b\[(?P<color>\d+(?:;\d+)*)m)?"
    r"(?P<ts>\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2}))\s+"
    r"(?P<app>[^\s\[\]]+)\[(?P<proc>[^\]\s]*)\]:"
    r"(?:\x1b\[0?m)?(?: ?)(?P<msg>.*)$",
    re.S,
)


def parse_log_line(line: str) -> LogLine:
    """Parse one ``logs`` line (``ESC[36m<ts> app[web.1]:ESC[0m msg``); never raises."""
    line = line.rstrip("\r\n")
    m = _LOG_RE.match(line)
    if not m:
        return LogLine(timestamp="", app="", process="", message=line, color=None)
    color = m.group("color")
    return LogLine(
        timestamp=m.group("ts"),
        app=m.group("app"),
        process=m.group("proc"),
        message=m.group("msg"),
        color=int(color.split(";")[-1]) if color else None,
    )


def parse_log_lines(text: str) -> list[LogLine]:
    """Parse a block of ``logs`` output, one LogLine per non-empty line."""
    return [parse_log_line(line) for line in _lines(text or "") if line.strip()]


# CSI (ESC [ ... final), OSC (ESC ] ... BEL|ST), DCS/SOS/PM/APC strings,
# other two/three-byte escapes, 8-bit CSI, and a stray ESC.
_ESCAPE_RE = re.compile(
    r"\x1b\[(?P<params>[0-?]*)(?P<inter>[ -/]*)(?P<final>[@-~])"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b"
)
_COLOR_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")


def strip_ansi(text: str) -> str:
    """Remove every ANSI escape sequence (colours, cursor moves, OSC titles)."""
    return _ESCAPE_RE.sub("", text or "")


def _apply_sgr(params: str, bold: bool, fg: str | None) -> tuple[bool, str | None]:
    codes = [int(p) if p.isdigit() else 0 for p in params.replace(":", ";").split(";")] if params else [0]
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            bold, fg = False, None
        elif code == 1:
            bold = True
        elif code in (21, 22):
            bold = False
        elif 30 <= code <= 37:
            fg = f"ansi-{_COLOR_NAMES[code - 30]}"
        elif 90 <= code <= 97:
            fg = f"ansi-bright-{_COLOR_NAMES[code - 90]}"
        elif code == 39:
            fg = None
        elif code in (38, 48, 58):
            # Extended colour: skip its arguments so they aren't read as codes.
            if i + 1 < len(codes) and codes[i + 1] == 5:
                i += 2
            elif i + 1 < len(codes) and codes[i + 1] == 2:
                i += 4
            if code == 38:
                fg = None  # a palette/RGB colour we have no class for
        i += 1
    return bold, fg


def ansi_segments(text: str) -> list[tuple[str, str | None]]:
    """Split text into ``(chunk, css_class)`` pairs following SGR colour codes.

    Classes are ``ansi-<colour>`` / ``ansi-bright-<colour>`` and ``ansi-bold``
    (space-joined when both apply); other escapes are dropped.
    """
    segments: list[tuple[str, str | None]] = []
    bold, fg = False, None

    def emit(chunk: str) -> None:
        if not chunk:
            return
        classes = " ".join(c for c in (fg, "ansi-bold" if bold else None) if c) or None
        if segments and segments[-1][1] == classes:
            segments[-1] = (segments[-1][0] + chunk, classes)
        else:
            segments.append((chunk, classes))

    pos = 0
    for m in _ESCAPE_RE.finditer(text or ""):
        emit(text[pos:m.start()])
        pos = m.end()
        if m.group("final") == "m" and not m.group("inter") and re.fullmatch(r"[0-9;:]*", m.group("params")):
            bold, fg = _apply_sgr(m.group("params"), bold, fg)
    emit((text or "")[pos:])
    return segments


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------

_ERROR_PREFIX_RE = re.compile(r"^\s{0,2}!(?: {1,5}|\t|$)")


def parse_dokku_error(stderr: str) -> str:
    """Return the human message of a failed command (`` !     `` lines, prefix stripped)."""
    lines = _lines(strip_ansi(stderr or ""))
    messages = []
    for line in lines:
        m = _ERROR_PREFIX_RE.match(line)
        if m:
            messages.append(line[m.end():].rstrip())
    message = "\n".join(messages).strip("\n")
    if message:
        return message
    return "\n".join(line.rstrip() for line in lines).strip()


"""Reading ``<plugin>:report``s: one table says how each plugin's keys become its dataclass.

A report block comes from the text format or from ``--format json``
(report_format.py); the same table reads both, because a property is looked
up by its JSON name (``restart-policy``) and by its text label, which carries
the plugin's prefix (``ps-restart-policy``, also the legacy JSON key), the
unprefixed one first.  ``read_report(plugin, block)`` builds one report,
``read_reports(plugin, text)`` every app's of an all-apps text report.
The dataclasses themselves live in report_types.py.

Most fields are one property run through a converter (``REPORTS[...].props``);
what no single property holds (ps's ``status-*`` containers, resource's
per-process keys, network's open set of properties) comes from the type's
``derive`` hook.  Unknown keys are ignored.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from docklight.dokku.parsers.report_format import parse_report
from docklight.dokku.parsers.report_types import (AppReport, BuildpacksReport, CertsReport,
                                                  ChecksReport, Container, DockerOptions,
                                                  DomainsReport, GitReport, LetsencryptReport,
                                                  NetworkReport,
                                                  PortsReport, ProxyReport, PsReport,
                                                  ResourceReport, SchedulerReport, StorageReport)
from docklight.dokku.parsers.text import (as_bool, as_int, as_str, first, from_unix, split_list,
                                          split_words)
from docklight.dokku.parsers.values import (Mount, PortMapping, parse_ports_map_json,
                                            parse_storage_mounts, ports_from_map,
                                            split_docker_options)


@functools.lru_cache(maxsize=512)
def _keys(prefix: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """Lookup order for a property: each name unprefixed (JSON), then ``<prefix>-name``."""
    return tuple(key for name in names for key in (name, f"{prefix}-{name}"))


def _lookup(values: Mapping[str, Any], prefix: str, *names: str) -> str:
    return first(values, *_keys(prefix, names))


# ---------------------------------------------------------------------------
# converters and derive hooks
# ---------------------------------------------------------------------------


def _on_unless_off(value: str) -> bool:
    return as_bool(value, default=True)


def _comma_list(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _check_list(value: str) -> tuple[str, ...]:
    return () if value.strip().lower() in ("", "none") else split_list(value)


def _seconds(value: str) -> int | None:
    return as_int(value) if value.lstrip("-").isdigit() else None


def _mounts(value: str) -> tuple[Mount, ...]:
    return tuple(parse_storage_mounts(value))


def _proxy_type(value: str) -> str:
    return value or "nginx"


# Text keys are ``status-web-1`` (after normalization), JSON keys
# ``status-web.1``; a process type may itself contain '-', so the LAST
# separator followed by digits is the index.
_STATUS_KEY_RE = re.compile(r"^status-(.+)[-.](\d+)$")
_STATUS_VALUE_RE = re.compile(r"^(\S*)\s*(?:\(\s*CID:\s*([^)\s]*)\s*\))?")


def _container(proc_type: str, index: str, value: str) -> Container:
    m = _STATUS_VALUE_RE.match(value.strip())
    state, cid = (m.group(1), m.group(2) or "") if m else (value.strip(), "")
    return Container(proc_type=proc_type, index=int(index), state=state.lower(), cid=cid)


def _ps_containers(values: Mapping[str, Any]) -> dict[str, Any]:
    """Containers from the ``status-*`` keys; running and processes follow from them if unset."""
    containers = []
    for key, value in values.items():
        m = _STATUS_KEY_RE.match(key) if key.startswith("status-") else None
        if m:
            containers.append(_container(m.group(1), m.group(2), as_str(value)))
    containers.sort(key=lambda c: (c.proc_type, c.index))

    running = first(values, "running").lower()
    if running not in ("true", "false", "mixed"):
        up = sum(1 for c in containers if c.is_running)
        if not containers or up == 0:
            running = "false"
        else:
            running = "true" if up == len(containers) else "mixed"
    processes = first(values, "processes")
    return {
        "containers": tuple(containers),
        "running": running,
        "processes": as_int(processes, len(containers)) if processes else len(containers),
    }


def _proxy_enabled(values: Mapping[str, Any]) -> dict[str, Any]:
    """Read ``enabled``, else the inverse of ``disabled`` (proxy:report prints both)."""
    if any(k in values for k in _keys("proxy", ("enabled",))):
        enabled = as_bool(_lookup(values, "proxy", "enabled"), default=True)
    elif any(k in values for k in _keys("proxy", ("disabled",))):
        enabled = not as_bool(_lookup(values, "proxy", "disabled"))
    else:
        enabled = True
    return {"enabled": enabled}


def _port_map(values: Mapping[str, Any], json_name: str, text_name: str) -> tuple[PortMapping, ...]:
    """The ``*-json`` property when Dokku has one (0.33+), else the space-separated one."""
    json_value = _lookup(values, "ports", json_name)
    if json_value and json_value != "null":
        return tuple(parse_ports_map_json(json_value))
    return tuple(ports_from_map(_lookup(values, "ports", text_name)))


def _ports(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"configured": _port_map(values, "map-json", "map"),
            "detected": _port_map(values, "map-detected-json", "map-detected")}


def _network_properties(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every key without ``network-``; an unprefixed (new JSON) key wins over a legacy one."""
    out: dict[str, str] = {}
    tag = "network-"
    for key, value in values.items():
        if not key.startswith(tag):
            out[key] = as_str(value)
    for key, value in values.items():
        if key.startswith(tag):
            out.setdefault(key[len(tag):], as_str(value))
    return {"properties": out}


# JSON: ``deploy.<proc>`` and legacy ``docker-options-deploy.<proc>`` (plugins/
# docker-options report.go). The text label turns '.' and '-' into spaces, so
# process types are read from JSON only.
_DOCKER_OPTIONS_PROCESS_RE = re.compile(r"^(?:docker-options-)?deploy\.(.+)$")


def _docker_option_processes(values: Mapping[str, Any]) -> dict[str, Any]:
    procs: dict[str, tuple[str, ...]] = {}
    for key in sorted(values, key=lambda k: k.startswith("docker-options")):
        m = _DOCKER_OPTIONS_PROCESS_RE.match(key)
        if not m or m.group(1).endswith("-list"):
            continue
        options = split_docker_options(as_str(values[key]))
        if options:
            procs.setdefault(m.group(1), tuple(options))
    return {"processes": {p: procs[p] for p in sorted(procs)}}


# Text: ``resource-web-limit-memory`` (or ``web-limit-memory`` on old Dokku);
# JSON: ``web.limit.memory`` and legacy ``resource-web.limit.memory``.
# The process type is greedy so the LAST limit/reserve word is the split.
_RESOURCE_KEY_RE = re.compile(r"^(?:resource[-.])?(.+)[-.](limit|reserve)[-.](.+)$")


def _resource_processes(values: Mapping[str, Any]) -> dict[str, Any]:
    procs: dict[str, dict[str, dict[str, str]]] = {}
    # Unprefixed keys first so they win over legacy duplicates.
    for key in sorted(values, key=lambda k: k.startswith("resource")):
        m = _RESOURCE_KEY_RE.match(key)
        value = as_str(values[key]).strip()
        if not m or not value:
            continue
        proc, kind, res = m.groups()
        entry = procs.setdefault(proc, {"limit": {}, "reserve": {}})
        entry[kind].setdefault(res, value)
    return {"processes": {p: procs[p] for p in sorted(procs)}}


# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prop:
    """Where one dataclass field is read: its property names in order, and its type."""

    names: tuple[str, ...]
    convert: Callable[[str], Any] = str


def _prop(*names: str, convert: Callable[[str], Any] = str) -> Prop:
    return Prop(names, convert)


@dataclass(frozen=True, slots=True)
class ReportType:
    """How one plugin's report becomes its dataclass."""

    cls: type
    prefix: str  # of the text labels and the legacy JSON keys
    props: Mapping[str, Prop] = field(default_factory=dict)
    derive: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    # (field, keys in lookup order, converter), worked out once: the
    # dashboard reads three reports of every app on each cold load.
    plan: tuple[tuple[str, tuple[str, ...], Callable[[str], Any]], ...] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "plan", tuple(
            (name, _keys(self.prefix, prop.names), prop.convert)
            for name, prop in self.props.items()))


REPORTS: dict[str, ReportType] = {
    "ps": ReportType(PsReport, "ps", {
        "deployed": _prop("deployed", convert=as_bool),
        "restore": _prop("restore", convert=_on_unless_off),
        "restart_policy": _prop("computed-restart-policy", "restart-policy",
                                "global-restart-policy"),
    }, derive=_ps_containers),
    "apps": ReportType(AppReport, "app", {
        "created_at": _prop("created-at", convert=from_unix),
        "deploy_source": _prop("deploy-source"),
        "deploy_source_metadata": _prop("deploy-source-metadata"),
        "locked": _prop("locked", convert=as_bool),
        "dir": _prop("dir"),
    }),
    "domains": ReportType(DomainsReport, "domains", {
        "app_enabled": _prop("app-enabled", convert=as_bool),
        "app_vhosts": _prop("app-vhosts", convert=split_words),
        "global_enabled": _prop("global-enabled", convert=as_bool),
        "global_vhosts": _prop("global-vhosts", convert=split_words),
    }),
    "git": ReportType(GitReport, "git", {
        "deploy_branch": _prop("computed-deploy-branch", "deploy-branch", "global-deploy-branch"),
        "sha": _prop("sha"),
        "last_updated_at": _prop("last-updated-at", convert=from_unix),
        "source_image": _prop("source-image"),
    }),
    "proxy": ReportType(ProxyReport, "proxy", {
        "type": _prop("computed-type", "type", "global-type", convert=_proxy_type),
    }, derive=_proxy_enabled),
    "ports": ReportType(PortsReport, "ports", derive=_ports),
    "buildpacks": ReportType(BuildpacksReport, "buildpacks", {
        "list": _prop("list", convert=_comma_list),
        "stack": _prop("computed-stack", "stack", "global-stack"),
    }),
    "checks": ReportType(ChecksReport, "checks", {
        "disabled": _prop("disabled-list", convert=_check_list),
        "skipped": _prop("skipped-list", convert=_check_list),
        "wait_to_retire": _prop("computed-wait-to-retire", "wait-to-retire",
                                "global-wait-to-retire", convert=_seconds),
    }),
    "network": ReportType(NetworkReport, "network", derive=_network_properties),
    "docker-options": ReportType(DockerOptions, "docker-options", {
        phase: _prop(phase, convert=split_docker_options) for phase in ("build", "deploy", "run")
    }, derive=_docker_option_processes),
    "storage": ReportType(StorageReport, "storage", {
        phase: _prop(f"{phase}-mounts", convert=_mounts) for phase in ("build", "deploy", "run")
    }),
    "certs": ReportType(CertsReport, "ssl", {
        "dir": _prop("dir"),
        "enabled": _prop("enabled", convert=as_bool),
        "hostnames": _prop("hostnames", convert=split_words),
        "expires_at": _prop("expires-at"),
        "issuer": _prop("issuer"),
        "starts_at": _prop("starts-at"),
        "subject": _prop("subject"),
        "verified": _prop("verified"),
        "fingerprint": _prop("fingerprint"),
        "serial": _prop("serial"),
    }),
    # Text labels carry the plugin's prefix (`Letsencrypt computed email:`);
    # the JSON of 0.24.0 and later drops it (fn-letsencrypt-report-json).
    "letsencrypt": ReportType(LetsencryptReport, "letsencrypt", {
        "email": _prop("email"),
        "global_email": _prop("global-email"),
        "computed_email": _prop("computed-email", "email", "global-email"),
    }),
    "resource": ReportType(ResourceReport, "resource", derive=_resource_processes),
    "scheduler": ReportType(SchedulerReport, "scheduler", {
        "selected": _prop("computed-selected", "selected", "global-selected",
                          convert=lambda value: value or "docker-local"),
    }),
}


def read_report(plugin: str, values: Mapping[str, Any]) -> Any:
    """Build plugin's report dataclass from one block of its text or JSON report."""
    spec = REPORTS[plugin]
    fields = {name: convert(first(values, *keys)) for name, keys, convert in spec.plan}
    if spec.derive is not None:
        fields.update(spec.derive(values))
    return spec.cls(**fields)


def read_reports(plugin: str, text: str) -> dict[str, Any]:
    """Parse plugin's text report (one app or all apps) into ``{app: dataclass}``."""
    return {app: read_report(plugin, block) for app, block in parse_report(text).items()}

"""Pure parsers from Dokku's text and JSON output to frozen dataclasses.

Nothing here touches the network or the disk: every function takes the text a
command printed and returns plain values.  The formats follow Dokku 0.38.x,
dokku-postgres 1.48 and letsencrypt 0.25.  All parsers share the same
tolerance rules, because output may come through a pty (``\\r\\n``, stderr
merged in) and padding changes per plugin:

* ``\\r\\n`` / ``\\r`` line endings are accepted;
* lines starting with `` !     `` (Dokku warnings, from stderr) are skipped;
* columns are never read at fixed offsets when a separator can be used;
* unknown keys are ignored (or kept in an ``extra``/``properties`` mapping).

``ParseError`` is raised only when the text cannot be interpreted at all.

The modules: text (lines, prefixes, values, JSON, Dokku's error message),
report_format (``:report`` text/JSON into key/value blocks), report_types and
reports (the table of typed reports and ``read_report``), values (port maps,
docker options, mounts), lists (list commands), version, logs, and host
(`dokku report`'s vitals, imported from docklight.dokku.parsers.host).  Their public
names are available from this package.
"""

from docklight.dokku.parsers.lists import (LetsencryptEntry, Plugin, ServiceInfo,
                                           parse_apps_list, parse_apps_list_json,
                                           parse_buildpacks_list,
                                           parse_config_export_json, parse_letsencrypt_list,
                                           parse_plugin_list, parse_plugin_list_json,
                                           parse_ps_scale, parse_ps_scale_json,
                                           parse_service_info, parse_service_list,
                                           parse_storage_list_json)
from docklight.dokku.parsers.logs import LogLine, parse_log_line
from docklight.dokku.parsers.report_format import parse_report, parse_report_json
from docklight.dokku.parsers.report_types import (AppReport, BuildpacksReport, CertsReport,
                                                  ChecksReport, Container, DockerOptions,
                                                  DomainsReport, GitReport, NetworkReport,
                                                  PortsReport, ProxyReport, PsReport,
                                                  ResourceReport, StorageReport)
from docklight.dokku.parsers.reports import REPORTS, Prop, ReportType, read_report, read_reports
from docklight.dokku.parsers.text import (DOKKU_PREFIX_RE, ParseError, has_dokku_prefix,
                                          normalize_key, parse_dokku_error, strip_ansi)
from docklight.dokku.parsers.values import (Mount, PortMapping, parse_ports_map_json,
                                            parse_storage_mounts, ports_from_map,
                                            split_docker_options)
from docklight.dokku.parsers.version import DokkuVersion, parse_version

__all__ = [
    "ParseError", "DOKKU_PREFIX_RE", "has_dokku_prefix", "normalize_key", "parse_dokku_error",
    "strip_ansi",
    "DokkuVersion", "parse_version",
    "LogLine", "parse_log_line",
    "parse_report", "parse_report_json",
    "REPORTS", "Prop", "ReportType", "read_report", "read_reports",
    "AppReport", "BuildpacksReport", "CertsReport", "ChecksReport", "Container",
    "DockerOptions", "DomainsReport", "GitReport", "NetworkReport", "PortsReport",
    "ProxyReport", "PsReport", "ResourceReport", "StorageReport",
    "Mount", "PortMapping", "parse_ports_map_json", "parse_storage_mounts", "ports_from_map",
    "split_docker_options",
    "LetsencryptEntry", "Plugin", "ServiceInfo", "parse_apps_list", "parse_apps_list_json",
    "parse_buildpacks_list",
    "parse_config_export_json", "parse_letsencrypt_list", "parse_plugin_list",
    "parse_plugin_list_json", "parse_ps_scale", "parse_ps_scale_json", "parse_service_info",
    "parse_service_list", "parse_storage_list_json",
]

"""Every parser takes pty line endings, Dokku's warnings, other padding and unknown keys.

Each case is a recorded transcript; the variations must parse to exactly
what the transcript parses to.
"""

from __future__ import annotations

import re
from functools import partial

import pytest

from docklight.dokku import parsers as P

from tests.parsers.transcripts import T


def test_transcripts_keep_trailing_spaces_and_crlf():
    assert "       Ps computed dockerfile start cmd: \n" in T("ps_report_node-js-app.txt")
    assert "\r\n" in T("ps_scale_pty.txt") and "\r\n" in T("ps_report_pty.txt")
    assert T("letsencrypt_list.txt").splitlines()[0].endswith("renewal      ")
    assert "\\u003cb\\u003e\\u0026" in T("config_export.json")
    assert "Links:               node-js-app api-staging  " in T("postgres_info.txt")
    assert "\nweb:  2\n" in T("ps_scale.txt")


def _reports(plugin: str):
    return partial(P.read_reports, plugin)


REPORT_CASES = [
    ("ps_report_all.txt", _reports("ps")),
    ("ps_report_node-js-app.txt", P.parse_report),
    ("ps_report_quiet.txt", P.parse_report),
    ("apps_report.txt", _reports("apps")),
    ("domains_report_all.txt", _reports("domains")),
    ("git_report.txt", _reports("git")),
    ("ports_report.txt", _reports("ports")),
    ("ports_report_detected.txt", _reports("ports")),
    ("proxy_report_all.txt", _reports("proxy")),
    ("buildpacks_report.txt", _reports("buildpacks")),
    ("checks_report.txt", _reports("checks")),
    ("network_report.txt", _reports("network")),
    ("docker_options_report.txt", _reports("docker-options")),
    ("certs_report.txt", _reports("certs")),
    ("resource_report.txt", _reports("resource")),
]
TEXT_CASES = REPORT_CASES + [
    ("apps_list.txt", P.parse_apps_list),
    ("ps_scale.txt", P.parse_ps_scale),
    ("letsencrypt_list.txt", P.parse_letsencrypt_list),
    ("plugin_list.txt", P.parse_plugin_list),
    ("postgres_list.txt", P.parse_service_list),
    ("postgres_list_legacy.txt", P.parse_service_list),
    ("postgres_info.txt", P.parse_service_info),
]
JSON_CASES = [
    ("ps_report_all.jsonl", P.parse_report_json),
    ("apps_list.json", P.parse_apps_list_json),
    ("ps_scale.json", P.parse_ps_scale_json),
    ("config_export.json", P.parse_config_export_json),
    ("storage_list.json", P.parse_storage_list_json),
    ("plugin_list.json", P.parse_plugin_list_json),
]
WARNING = " !     Deprecated: this is a warning that arrived through the pty"


def _ids(cases):
    return [name for name, _ in cases]


@pytest.mark.parametrize("name, parse", TEXT_CASES + JSON_CASES, ids=_ids(TEXT_CASES + JSON_CASES))
def test_crlf_line_endings(name, parse):
    text = T(name)
    assert parse(text.replace("\n", "\r\n")) == parse(text)


@pytest.mark.parametrize("name, parse", TEXT_CASES + JSON_CASES, ids=_ids(TEXT_CASES + JSON_CASES))
def test_warning_lines_mixed_in(name, parse):
    text = T(name)
    lines = text.splitlines(keepends=True)
    mixed = WARNING + "\n" + "".join(
        line + (WARNING + "\n" if i % 2 else "") for i, line in enumerate(lines)
    ) + WARNING + "\n"
    assert parse(mixed) == parse(text)


@pytest.mark.parametrize("name, parse", TEXT_CASES, ids=_ids(TEXT_CASES))
def test_extra_trailing_spaces(name, parse):
    text = T(name)
    padded = "".join(line.rstrip("\n") + "    \n" for line in text.splitlines(keepends=True))
    assert parse(padded) == parse(text)


@pytest.mark.parametrize("name, parse", REPORT_CASES, ids=_ids(REPORT_CASES))
def test_report_wider_and_narrower_columns(name, parse):
    text = T(name)
    label = re.compile(r"^(\s+[^:\n]+:)[ ]*", re.M)
    wide = label.sub(lambda m: m.group(1).ljust(60), text)
    narrow = label.sub(lambda m: m.group(1) + " ", text)
    assert parse(wide) == parse(text)
    assert parse(narrow) == parse(text)


EXTRA_LINES = "       Zz brand new flag:                 something\n       Aa other:  \n"
# These keep every key by design (generic dict / property bag).
KEEP_ALL = {"ps_report_node-js-app.txt", "ps_report_quiet.txt", "network_report.txt"}
TYPED_REPORT_CASES = [case for case in REPORT_CASES if case[0] not in KEEP_ALL]


def _with_extra_lines(text: str) -> str:
    header_end = text.index("\n") + 1
    return text[:header_end] + EXTRA_LINES + text[header_end:] + EXTRA_LINES


@pytest.mark.parametrize("name, parse", TYPED_REPORT_CASES, ids=_ids(TYPED_REPORT_CASES))
def test_report_unknown_keys_ignored(name, parse):
    text = T(name)
    assert parse(_with_extra_lines(text)) == parse(text)


def test_generic_report_keeps_unknown_keys():
    base = P.parse_report(T("ps_report_node-js-app.txt"))["node-js-app"]
    got = P.parse_report(_with_extra_lines(T("ps_report_node-js-app.txt")))["node-js-app"]
    assert got == dict(base, **{"zz-brand-new-flag": "something", "aa-other": ""})
    network = P.read_reports("network", _with_extra_lines(T("network_report.txt")))["node-js-app"]
    assert network.get("zz-brand-new-flag") == "something"
    assert network.web_listeners == ("172.17.0.5:5000", "172.17.0.6:5000")


def test_json_reports_tolerate_unknown_keys():
    (obj,) = P.parse_report_json(T("domains_report.json"))
    obj = dict(obj, **{"future-key": "x", "app-vhosts-json": "[]"})
    assert P.read_report("domains", obj).app_vhosts == ("node-js-app.dokku.me", "www.example.com")

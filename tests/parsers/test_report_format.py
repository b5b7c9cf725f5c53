"""Tests for parsers.report_format: ``:report`` text and JSON into key/value blocks."""

from __future__ import annotations

import pytest

from docklight.dokku import parsers as P
from docklight.dokku.parsers import ParseError

from tests.parsers.transcripts import T

NODE_PS = {
    "deployed": "true",
    "processes": "3",
    "ps-can-scale": "true",
    "ps-computed-dockerfile-start-cmd": "",
    "ps-computed-procfile-path": "Procfile",
    "ps-computed-restart-policy": "on-failure:10",
    "ps-computed-skip-deploy": "false",
    "ps-computed-start-cmd": "",
    "ps-computed-stop-timeout-seconds": "30",
    "ps-dockerfile-start-cmd": "",
    "ps-global-procfile-path": "Procfile",
    "ps-global-restart-policy": "on-failure:10",
    "ps-global-skip-deploy": "",
    "ps-global-stop-timeout-seconds": "30",
    "ps-procfile-path": "",
    "ps-restart-policy": "",
    "ps-skip-deploy": "",
    "ps-start-cmd": "",
    "ps-stop-timeout-seconds": "",
    "restore": "true",
    "running": "true",
    "status-web-1": "running (CID: 99a1bf801f5)",
    "status-web-2": "running (CID: 1c2d3e4f5a6)",
    "status-worker-1": "running (CID: 2b3c4d5e6f7)",
}


def test_parse_report_single_app_exact():
    assert P.parse_report(T("ps_report_node-js-app.txt")) == {"node-js-app": NODE_PS}


def test_parse_report_quiet_has_empty_app_name():
    assert P.parse_report(T("ps_report_quiet.txt")) == {"": NODE_PS}


def test_parse_report_all_apps_in_order():
    report = P.parse_report(T("ps_report_all.txt"))
    assert list(report) == ["api-staging", "empty-app", "node-js-app", "stopped-app"]
    assert report["node-js-app"] == NODE_PS
    assert report["api-staging"]["status-my-worker-2"] == "exited (CID: 7b8c9d0e1f2)"
    assert "status-web-1" not in report["empty-app"]


def test_parse_report_global_and_type_words():
    text = (
        "=====> --global ps information\n"
        "       Ps global procfile path:       Procfile\n"
        "=====> node-js-app letsencrypt information\n"
        "       Letsencrypt active:            true\n"
    )
    assert P.parse_report(text) == {
        "--global": {"ps-global-procfile-path": "Procfile"},
        "node-js-app": {"letsencrypt-active": "true"},
    }


def test_parse_report_value_keeps_inner_colons_and_spaces():
    text = "=====> a ssl information\n       Ssl expires at:                Feb  7 17:32:28 2027 GMT   \n"
    assert P.parse_report(text) == {"a": {"ssl-expires-at": "Feb  7 17:32:28 2027 GMT"}}


def test_parse_report_empty_and_no_apps():
    assert P.parse_report("") == {}
    assert P.parse_report(" !     You haven't deployed any applications yet\n") == {}
    assert P.parse_report("=====> node-js-app resource information\n") == {"node-js-app": {}}


@pytest.mark.parametrize("text", ["true\n", "garbage without any colon\nmore\n"])
def test_parse_report_unusable_raises(text):
    with pytest.raises(ParseError):
        P.parse_report(text)


def test_parse_report_json_lines():
    rows = P.parse_report_json(T("ps_report_all.jsonl"))
    assert len(rows) == 4
    assert rows[2]["deployed"] == "true"
    assert rows[2]["processes"] == "3"  # values are always strings
    assert rows[2]["status-web.1"] == "running (CID: 99a1bf801f5)"
    # 0.38.x deprecation window: both the new and the legacy key
    assert rows[0]["restart-policy"] == rows[0]["ps-restart-policy"] == "always"


def test_parse_report_json_tolerates_blank_lines_warnings_and_non_strings():
    text = '\n{"a":"1"}\r\n\r\n !     warning from stderr\n{"b":true,"c":null,"d":5}\n\n'
    assert P.parse_report_json(text) == [{"a": "1"}, {"b": "true", "c": "", "d": "5"}]
    assert P.parse_report_json("") == []


@pytest.mark.parametrize("text", ['{"a":', "[1, 2]", '"x"'])
def test_parse_report_json_unusable_raises(text):
    with pytest.raises(ParseError):
        P.parse_report_json(text)

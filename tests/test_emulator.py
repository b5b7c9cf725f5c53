"""Tests for the Dokku emulator (docklight.emulator).

The emulator runs as a subprocess under Debian's /usr/bin/python3, exactly as the
forced SSH command and the demo mode run it; expected outputs are the literal
examples of the Dokku CLI reference and the recorded transcripts.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docklight.emulator import seeds  # noqa: E402
from tests import emulator_process  # noqa: E402
from docklight.emulator import state as store  # noqa: E402
from docklight.emulator.splitting import (  # noqa: E402
    XARGS_QUOTE_ERROR,
    parse_global_flags,
    split_ssh_original_command,
)

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
BANG = " !     "
CID = {  # container ids of the reference/transcript examples
    ("web", 1): "99a1bf801f5" + "a" * 53,
    ("web", 2): "1c2d3e4f5a6" + "b" * 53,
    ("worker", 1): "2b3c4d5e6f7" + "c" * 53,
}
T0 = 1714566896


# ---------------------------------------------------------------------- helpers


def env_for(home, **extra):
    return emulator_process.environment(home, LC_ALL="C.UTF-8", **extra)


def dokku(home, *args, stdin="", ssh=None, root=False, timeout=20):
    """Run the emulator; return (exit code, stdout, stderr) as text."""
    extra = {}
    if ssh is not None:
        extra["SSH_ORIGINAL_COMMAND"] = ssh
    if root:
        extra["DOKKU_EMULATOR_ROOT"] = "1"
    proc = subprocess.run(emulator_process.argv(*args), input=stdin.encode(),
                          capture_output=True, env=env_for(home, **extra), timeout=timeout)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def fixed_state():
    """Return a state that reproduces the reference's literal examples."""
    node = store.make_app("node-js-app", processes={"release": 0, "web": 2, "worker": 1}, created_at=T0,
                          last_deployed_at=T0, domains=["node-js-app.dokku.me", "www.example.com"])
    for container in node["containers"]:
        container["id"] = CID[(container["proc"], container["index"])]
    node["git"].update(deploy_branch="main", sha="33896f5d7c1b2a3e4f5061728394a5b6c7d8e9f0")
    node["deploy_source_metadata"] = node["git"]["sha"]  # what a git push stores
    node["ports"] = ["http:80:5000", "https:443:5000"]
    node["config"] = {"DATABASE_URL": "postgres://x", "EMPTY": "", "MULTILINE": "line one\nline two"}
    api = store.make_app("api-staging", created_at=T0, domains=[])
    api["domains_enabled"] = False
    api["proxy"].update(enabled=False, type="caddy")
    api["locked"] = True
    return store.new_state([node, api])


@pytest.fixture
def home(tmp_path):
    """An emulator home with the demo seed and no progress delays."""
    store.write_settings(tmp_path, step_delay_ms=0)
    return tmp_path


@pytest.fixture
def fixed(home):
    store.write_state(home, fixed_state())
    return home


# ---------------------------------------------------------------------- splitting


@pytest.mark.parametrize("command, expected", [
    ("apps:list", ["apps:list"]),
    ("  config:show   my-app  ", ["config:show", "my-app"]),
    ("config:set app 'A=hello world'", ["config:set", "app", "A=hello world"]),
    ('config:set app "A=hello world"', ["config:set", "app", "A=hello world"]),
    ("config:set app 'Q=it'\"'\"'s'", ["config:set", "app", "Q=it's"]),
    ("a'b c'\"d e\"", ["ab cd e"]),
    ("x 'a\\b' \"c\\d\"", ["x", "a\\b", "c\\d"]),          # backslash literal inside quotes
    ("a\\ b c\\\\d \\'q", ["a b", "c\\d", "'q"]),          # backslash escapes outside quotes
    ("x $(rm -rf /) `id` a;b|c && d", ["x", "$(rm", "-rf", "/)", "`id`", "a;b|c", "&&", "d"]),
    ("héllo wörld ☃", ["héllo", "wörld", "☃"]),
    ("tab\tsep", ["tab", "sep"]),
    ("a\rb", ["a\rb"]),                                    # only space/tab/newline split
    ("x '' y", ["x", "", "y"]),
    ("a\"\"b \"\"", ["ab", ""]),
    ("config:set app -n", ["config:set", "app"]),          # echo eats -n
    ("config:set app -e", ["config:set", "app", ""]),      # -e/-E become empty
    ("x -E -ne -nE -neE", ["x", ""]),
    ("x '-n'", ["x"]),                                     # quotes do not protect from echo
    ("x -nx - --", ["x", "-nx", "-", "--"]),
    ("apps:list \"unclosed", ["apps:list"]),               # truncated at the broken word
    ("a b 'c d", ["a", "b"]),
    ("x 'a\nb'", ["x"]),                                   # quoted newline is an error too
    ("x a\\", ["x", "a", ""]),                             # trailing backslash eats the newline
    ("", [""]),
    ("git-receive-pack 'my-app'", ["git-receive-pack", "'my-app'"]),
    ("git:report  my-app\t--x", ["git:report", "my-app", "--x"]),
])
def test_split_ssh_original_command(command, expected):
    assert split_ssh_original_command(command) == expected


def test_split_help_and_version_words_become_echo_text():
    args = split_ssh_original_command("config:set app --help")
    assert args[:3] == ["config:set", "app", "Usage: echo [SHORT-OPTION]... [STRING]..."]
    assert len(args) > 4
    version = split_ssh_original_command("x --version")
    assert version[1].startswith("echo (GNU coreutils)") and len(version) > 2


SPLIT_CROSS_CHECK = [
    "config:set app 'Q=it'\"'\"'s' B=\"x y\" c\\ d",
    "a'b c'\"d e\" -n -e -E -ne '' \"\" x\\\\y",
    "x $(id) `id` ; | & > < * ?",
    "x 'unterminated",
    "x \"a\\\"b\"",
    "héllo 'wörld ☃' \\'",
    "x a\\",
]


@pytest.mark.skipif(not (shutil.which("bash") and shutil.which("xargs")), reason="needs bash and GNU xargs")
def test_split_matches_real_xargs():
    """Cross-check against the real `xargs -n 1` + mapfile pipeline of Dokku's script."""
    script = 'mapfile -t a < <(xargs -n 1 <<<"$1" 2>/dev/null); printf "%s\\0" "${#a[@]}" "${a[@]}"'
    for command in SPLIT_CROSS_CHECK:
        out = subprocess.run(["bash", "-c", script, "_", command], capture_output=True).stdout.decode()
        count, *words = out.split("\0")[:-1]
        assert split_ssh_original_command(command) == words[:int(count)], command


def test_parse_global_flags():
    opts, rest = parse_global_flags(["--quiet", "--app", "blog", "config:show"])
    assert (opts.quiet, opts.app, rest) == (True, "blog", ["config:show", "blog"])
    opts, rest = parse_global_flags(["--app", "blog", "config:set", "--no-restart", "A=1"])
    assert rest == ["config:set", "--no-restart", "blog", "A=1"]
    opts, rest = parse_global_flags(["apps:destroy", "x", "--force"])
    assert opts.force and rest == ["apps:destroy", "x", "--force"]  # non-leading flags stay
    assert parse_global_flags(["--trace"])[1] == []


# ---------------------------------------------------------------------- state API


def test_make_app_defaults_and_running_states():
    app = store.make_app("a")
    assert app["processes"] == {"web": 1} and app["domains"] == ["a.dokku.me"]
    assert store.running_state(app) == "true" and len(app["containers"][0]["id"]) == 64
    assert store.running_state(store.make_app("b", running=False)) == "false"
    mixed = store.make_app("c", running="mixed")
    assert store.running_state(mixed) == "mixed" and len(mixed["containers"]) == 2
    fresh = store.make_app("d", deployed=False)
    assert fresh["containers"] == [] and store.running_state(fresh) == "false"


def test_seeds_and_roundtrip(tmp_path):
    demo = seeds.seed_demo()
    states = {store.running_state(a) if a["deployed"] else "undeployed" for a in demo["apps"].values()}
    assert states == {"true", "false", "mixed", "undeployed"}
    names = {p["name"] for p in demo["plugins"]}
    assert {"letsencrypt", "postgres", "redis", "apps"} <= names
    assert demo["services"]["postgres"]["main-db"]["links"] == ["node-js-app"]
    assert len(seeds.seed_many(25)["apps"]) == 25
    store.write_state(tmp_path, demo)
    assert store.read_state(tmp_path) == json.loads(json.dumps(demo))


def test_missing_state_is_seeded(tmp_path):
    code, out, _ = dokku(tmp_path, "apps:list")
    assert code == 0 and "node-js-app" in out
    empty = tmp_path / "e"
    empty.mkdir()
    proc = subprocess.run([*emulator_process.argv(), "apps:list"], capture_output=True,
                          env=env_for(empty, DOKKU_EMULATOR_SEED="empty"))
    assert proc.stdout.decode() == "=====> My Apps\n"
    assert proc.stderr.decode() == f"{BANG}You haven't deployed any applications yet\n"


# ---------------------------------------------------------------------- basics


def test_version_forms(home):
    for args in (["version"], ["-v"], ["--version"]):
        assert dokku(home, *args) == (0, "dokku version 0.38.27\n", "")
    store.write_settings(home, version="0.30.0")
    assert dokku(home, "version")[1] == "dokku version 0.30.0\n"


def test_help_and_unknown_commands(home):
    code, out, _ = dokku(home, "help")
    assert code == 0 and out.startswith("Usage: dokku [--quiet|--trace|--force] COMMAND <app>")
    for args in (["foo", "bar"], ["apps:foo", "x y"], ["apps:"], ["letsencrypt2:list"]):
        assert dokku(home, *args) == (1, "", f"{BANG}`{' '.join(args)}` is not a dokku command.\n"
                                             f"{BANG}See `dokku help` for a list of available commands.\n")


def test_root_only_commands(home):
    assert dokku(home, "plugin:install", "https://x/dokku-mysql.git") == (1, "", f"{BANG}This command must be run as root\n")
    assert dokku(home, "ssh-keys:add", "k")[0] == 1
    # the `dokku` script exempts only plugin:help and plugin:list from the root check
    assert dokku(home, "plugin:installed", "postgres") == (1, "", f"{BANG}This command must be run as root\n")
    assert dokku(home, "plugin:installed", "postgres", root=True) == (0, "", "")
    assert dokku(home, "plugin:installed", "nope", root=True)[0] == 1


def test_unknown_go_flag_is_a_usage_error(home):
    code, out, err = dokku(home, "apps:list", "--quiet")
    assert (code, out) == (2, "")
    assert err.startswith("unknown flag: --quiet\nUsage of apps:list:\n")


# ---------------------------------------------------------------------- apps


def test_apps_list_formats(fixed):
    assert dokku(fixed, "apps:list") == (0, "=====> My Apps\napi-staging\nnode-js-app\n", "")
    assert dokku(fixed, "--quiet", "apps:list") == (0, "api-staging\nnode-js-app\n", "")
    assert dokku(fixed, "apps:list", "--format", "json") == (0, '["api-staging","node-js-app"]\n', "")
    store.write_settings(fixed, version="0.30.0")
    code, _, err = dokku(fixed, "apps:list", "--format", "json")
    assert code == 2 and err.startswith("unknown flag: --format\n")


APPS_REPORT = """\
=====> node-js-app app information
       App created at:                  1714566896
       App deploy source:               git-push
       App deploy source metadata:      33896f5d7c1b2a3e4f5061728394a5b6c7d8e9f0
       App dir:                         /home/dokku/node-js-app
       App global disable autocreation: 
       App locked:                      false
"""


def test_apps_report(fixed):
    assert dokku(fixed, "apps:report", "node-js-app") == (0, APPS_REPORT, "")
    code, out, _ = dokku(fixed, "apps:report", "api-staging", "--format", "json")
    data = json.loads(out)
    assert data["locked"] == data["app-locked"] == "true" and data["created-at"] == str(T0)
    assert dokku(fixed, "apps:report", "node-js-app", "--app-locked") == (0, "false\n", "")


def test_apps_create_destroy_persist(home):
    assert dokku(home, "apps:create", "my-app") == (0, "-----> Creating my-app...\n", "")
    assert dokku(home, "--quiet", "apps:create", "other") == (0, "", "")
    assert dokku(home, "apps:create", "my-app") == (1, "", f"{BANG}Name is already taken\n")
    assert dokku(home, "apps:create", "My_App")[2].startswith(f"{BANG}App name must begin with lowercase")
    assert "my-app" in dokku(home, "apps:list")[1]
    assert dokku(home, "apps:exists", "my-app") == (0, "", "")
    assert dokku(home, "apps:exists", "gone") == (20, "", f"{BANG}App gone does not exist\n")
    warning = (f"{BANG}WARNING: Potentially Destructive Action\n{BANG}This command will destroy app my-app.\n"
               f'{BANG}To proceed, type "my-app"\n')
    assert dokku(home, "apps:destroy", "my-app") == (1, "> ", warning + f"{BANG}EOF\n")
    assert dokku(home, "apps:destroy", "my-app", stdin="\n") == (1, "> ", warning + f"{BANG}unexpected newline\n")
    assert dokku(home, "apps:destroy", "my-app", stdin="nope\n") == (
        1, "> ", warning + "Confirmation did not match test. Aborted.\n")
    code, out, _ = dokku(home, "apps:destroy", "my-app", "--force")
    assert code == 0 and out == ("-----> Destroying my-app (including all add-ons)\n-----> Cleaning up...\n"
                                 "-----> Retiring old containers and images\n")
    assert dokku(home, "apps:destroy", "my-app", "--force") == (20, "", f"{BANG}App my-app does not exist\n")
    code, out, _ = dokku(home, "--force", "apps:destroy", "node-js-app")
    assert code == 0 and "       Unlinking from main-db\n" in out
    assert "node-js-app" not in store.read_state(home)["services"]["postgres"]["main-db"]["links"]


def test_apps_lock_rename(home):
    assert dokku(home, "apps:lock", "blog") == (0, "-----> Deploy lock created\n", "")
    assert dokku(home, "apps:report", "blog", "--app-locked")[1] == "true\n"
    code, out, _ = dokku(home, "apps:rename", "blog", "journal")
    assert code == 0 and out.startswith("-----> Renaming blog to journal\n-----> Cleaning up...\n")
    assert store.read_state(home)["apps"]["journal"]["domains"] == ["journal.dokku.me"]


# ---------------------------------------------------------------------- ps


PS_REPORT = """\
=====> node-js-app ps information
       Deployed:                         true
       Processes:                        3
       Ps can scale:                     true
       Ps computed dockerfile start cmd: 
       Ps computed procfile path:        Procfile
       Ps computed restart policy:       on-failure:10
       Ps computed skip deploy:          false
       Ps computed start cmd:            
       Ps computed stop timeout seconds: 30
       Ps dockerfile start cmd:          
       Ps global procfile path:          
       Ps global restart policy:         
       Ps global skip deploy:            
       Ps global stop timeout seconds:   
       Ps procfile path:                 
       Ps restart policy:                
       Ps skip deploy:                   
       Ps start cmd:                     
       Ps stop timeout seconds:          
       Restore:                          true
       Running:                          true
       Status web 1:                     running (CID: 99a1bf801f5)
       Status web 2:                     running (CID: 1c2d3e4f5a6)
       Status worker 1:                  running (CID: 2b3c4d5e6f7)
"""


def test_ps_report_block_is_byte_exact(fixed):
    assert dokku(fixed, "ps:report", "node-js-app") == (0, PS_REPORT, "")
    quiet = PS_REPORT.split("\n", 1)[1]
    assert dokku(fixed, "--quiet", "ps:report", "node-js-app") == (0, quiet, "")


def test_ps_report_all_apps_json_and_single_values(fixed):
    code, out, _ = dokku(fixed, "ps:report")
    assert out.startswith("=====> api-staging ps information\n") and out.endswith(PS_REPORT)
    code, out, _ = dokku(fixed, "ps:report", "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["deployed"] for r in rows] == ["true", "true"]
    assert rows[1]["status-web.2"] == "running (CID: 1c2d3e4f5a6)"
    assert rows[1]["ps-restart-policy"] == rows[1]["restart-policy"] == ""      # legacy + trimmed keys
    assert list(rows[1]) == sorted(rows[1]) and "\", \"" not in out and "\": " not in out  # compact, sorted
    assert dokku(fixed, "ps:report", "--running") == (0, "true\ntrue\n", "")
    assert dokku(fixed, "ps:report", "node-js-app", "--status-web.1") == (0, "running (CID: 99a1bf801f5)\n", "")
    assert dokku(fixed, "ps:report", "node-js-app", "--running", "--deployed") == (0, "", "")


def test_ps_report_errors(fixed):
    code, _, err = dokku(fixed, "ps:report", "node-js-app", "--nope")
    assert code == 1 and err.startswith(f"{BANG}Invalid flag passed, valid flags: --deployed, --processes, ")
    assert dokku(fixed, "ps:report", "node-js-app", "--format", "xml") == (
        1, "", f'{BANG}Format must be "stdout" or "json": "xml"\n')
    assert dokku(fixed, "ps:report", "node-js-app", "--format", "json", "--running") == (
        1, "", f"{BANG}--format flag cannot be specified when specifying an info flag\n")
    assert dokku(fixed, "ps:report", "missing") == (20, "", f"{BANG}App missing does not exist\n")
    assert dokku(fixed, "ps:report", "Bad!")[0] == 1
    store.write_settings(fixed, version="0.20.0")  # before 0.23.1 --format is just an info flag
    assert dokku(fixed, "ps:report", "node-js-app", "--format", "json")[2].startswith(f"{BANG}Invalid flag passed")


def test_ps_report_states(home):
    rows = {}
    for line in dokku(home, "ps:report", "--format", "json")[1].splitlines():
        data = json.loads(line)
        rows[data["status-web.1"][:7] if "status-web.1" in data else data["deployed"]] = data
    code, out, _ = dokku(home, "ps:report", "new-service", "--format", "json")
    fresh = json.loads(out)
    assert (fresh["deployed"], fresh["processes"], fresh["running"]) == ("false", "0", "false")
    assert dokku(home, "ps:report", "worker-queue", "--running")[1] == "false\n"
    assert dokku(home, "ps:report", "blog", "--running")[1] == "mixed\n"
    assert dokku(home, "ps:report", "blog", "--status-web.2")[1].startswith("exited (CID: ")


def test_report_no_apps_message(tmp_path):
    store.write_settings(tmp_path, step_delay_ms=0)
    store.write_state(tmp_path, store.new_state([]))
    for command in ("ps:report", "apps:report", "git:report", "domains:report"):
        assert dokku(tmp_path, command) == (0, "", f"{BANG}You haven't deployed any applications yet\n")


def test_ps_scale(fixed):
    table = ("-----> Scaling for node-js-app\nproctype: qty\n--------: ---\n"
             "release: 0\nweb:  2\nworker: 1\n")
    assert dokku(fixed, "ps:scale", "node-js-app") == (0, table, "")
    assert dokku(fixed, "--quiet", "ps:scale", "node-js-app") == (0, "release: 0\nweb:  2\nworker: 1\n", "")
    assert dokku(fixed, "ps:scale", "node-js-app", "--format", "json")[1] == (
        '[{"process_type":"release","quantity":0},{"process_type":"web","quantity":2},'
        '{"process_type":"worker","quantity":1}]\n')
    assert dokku(fixed, "ps:scale", "node-js-app", "web")[2] == f"{BANG}Missing count for process type web\n"
    assert dokku(fixed, "ps:scale", "node-js-app", "web=x")[2] == f"{BANG}Invalid count for process type web\n"
    assert dokku(fixed, "ps:scale", "node-js-app", "cron=1")[2] == f"{BANG}cron is not a valid process name to scale up\n"
    code, out, _ = dokku(fixed, "ps:scale", "node-js-app", "web=3")
    assert out.startswith("-----> Scaling node-js-app processes: web=3\n-----> Deploying web (count=3)\n")
    assert "worker" not in out  # only the changed process type is deployed
    assert dokku(fixed, "ps:report", "node-js-app", "--processes")[1] == "4\n"


RESTART = """\
-----> Deploying web (count=1)
       Attempting pre-flight checks (web.1)
       Waiting for 10 seconds (web.1)
       Default container check successful (web.1)
       Scheduling old container shutdown in 60 seconds (web.1)
-----> Running post-deploy
-----> Configuring api-staging.dokku.me...(using built-in template)
-----> Creating http nginx.conf
       Reloading nginx
-----> Shutting down old containers in 60 seconds
"""


def test_ps_lifecycle(home):
    store.write_state(home, store.new_state([store.make_app("api-staging"), store.make_app("idle", deployed=False)]))
    assert dokku(home, "ps:restart", "api-staging") == (0, RESTART, "")
    assert dokku(home, "ps:stop", "api-staging") == (0, "-----> Stopping api-staging\n", "")
    assert dokku(home, "ps:report", "api-staging", "--restore")[1] == "false\n"
    code, out, err = dokku(home, "ps:start", "api-staging")
    assert err == f"{BANG}App has been detected as not running, releasing\n"
    assert out.startswith("-----> Releasing api-staging...\n-----> Deploying api-staging via the docker-local scheduler...\n")
    assert out.endswith("=====> Application deployed:\n       http://api-staging.dokku.me\n")
    assert dokku(home, "ps:start", "api-staging")[2] == f"{BANG}App api-staging already running\n"
    assert dokku(home, "ps:restart", "idle") == (0, "", f"{BANG}App idle has not been deployed\n")
    assert dokku(home, "ps:restart", "--all", "web")[2] == f"{BANG}Unable to restart all apps when specifying a process name\n"
    code, out, _ = dokku(home, "ps:rebuild", "api-staging")
    assert out.startswith("-----> Cleaning up...\n-----> Building api-staging from herokuish\n")


def test_progress_is_streamed_line_by_line(home):
    store.write_settings(home, step_delay_ms=60)
    proc = subprocess.Popen([*emulator_process.argv(), "ps:restart", "node-js-app"],
                            stdout=subprocess.PIPE, env=env_for(home))
    start = time.monotonic()
    first = proc.stdout.readline()
    first_at = time.monotonic() - start
    rest = proc.stdout.read()
    total = time.monotonic() - start
    proc.wait()
    assert first.startswith(b"-----> Deploying web")
    assert total - first_at > 0.5 and rest.count(b"\n") > 10


# ---------------------------------------------------------------------- reports of other plugins


DOMAINS_ALL = """\
=====> api-staging domains information
       Domains app enabled:           false
       Domains app vhosts:            
       Domains global enabled:        true
       Domains global vhosts:         dokku.me
=====> node-js-app domains information
       Domains app enabled:           true
       Domains app vhosts:            node-js-app.dokku.me www.example.com
       Domains global enabled:        true
       Domains global vhosts:         dokku.me
"""

GIT_REPORT = """\
=====> node-js-app git information
       Git computed archive max files: 10000
       Git computed archive max size:  1073741824
       Git computed deploy branch:     main
       Git computed keep git dir:      false
       Git deploy branch:              main
       Git global archive max files:   
       Git global archive max size:    
       Git global deploy branch:       
       Git global keep git dir:        
       Git keep git dir:               
       Git last updated at:            1714566896
       Git rev env var:                GIT_REV
       Git sha:                        33896f5d7c1b2a3e4f5061728394a5b6c7d8e9f0
       Git source image:               
"""

PROXY_API = """\
=====> api-staging proxy information
       Proxy computed proxy port:     
       Proxy computed proxy ssl port: 
       Proxy computed type:           caddy
       Proxy enabled:                 false
       Proxy global proxy port:       
       Proxy global proxy ssl port:   
       Proxy global type:             
       Proxy proxy port:              
       Proxy proxy ssl port:          
       Proxy type:                    caddy
"""

PORTS_REPORT = """\
=====> node-js-app ports information
       Ports map:                     http:80:5000 https:443:5000
       Ports map detected:            http:80:5000
       Ports map detected json:       [{"container_port":5000,"host_port":80,"scheme":"http"}]
       Ports map json:                [{"container_port":5000,"host_port":80,"scheme":"http"},{"container_port":5000,"host_port":443,"scheme":"https"}]
"""


def test_other_reports_byte_exact(fixed):
    assert dokku(fixed, "domains:report") == (0, DOMAINS_ALL, "")
    assert dokku(fixed, "domains:report", "node-js-app", "--format", "json")[1] == (
        '{"app-enabled":"true","app-vhosts":"node-js-app.dokku.me www.example.com",'
        '"global-enabled":"true","global-vhosts":"dokku.me"}\n')
    assert dokku(fixed, "git:report", "node-js-app") == (0, GIT_REPORT, "")
    assert dokku(fixed, "git:report", "node-js-app", "--git-last-updated-at")[1] == f"{T0}\n"
    assert dokku(fixed, "proxy:report", "api-staging") == (0, PROXY_API, "")
    assert dokku(fixed, "ports:report", "node-js-app") == (0, PORTS_REPORT, "")
    assert dokku(fixed, "ports:list", "node-js-app")[1] == (
        "-----> Port mappings for node-js-app\n    -----> scheme  host port  container port\n"
        "    http           80         5000\n    https          443        5000\n")
    assert dokku(fixed, "domains:report", "--global")[1] == (
        "=====> --global domains information\n"
        "       Domains global enabled:        true\n       Domains global vhosts:         dokku.me\n")


def test_resource_and_storage(fixed):
    from docklight.dokku.storage_entries import legacy_entry_name
    HOST = "/var/lib/dokku/data/storage/node-js-app"  # noqa: N806
    # Nothing set: common.ReportSingleApp still prints the header (an empty flag map).
    assert dokku(fixed, "resource:report", "node-js-app") == (
        0, "=====> node-js-app resource information\n", "")
    dokku(fixed, "resource:limit", "--memory", "512m", "--process-type", "web", "node-js-app")
    dokku(fixed, "resource:limit", "--memory", "1024m", "node-js-app")
    assert dokku(fixed, "resource:report", "node-js-app")[1] == (
        "=====> node-js-app resource information\n"
        "       resource _default_ limit memory: 1024m\n"
        "       resource web limit memory:       512m\n")
    assert dokku(fixed, "storage:mount", "node-js-app", "/var/lib/dokku/data/storage/node-js-app:/app/storage") == (0, "", "")
    assert dokku(fixed, "storage:mount", "node-js-app", "/var/lib/dokku/data/storage/node-js-app:/app/storage")[2] == (
        f"{BANG}Mount path already exists.\n")
    assert dokku(fixed, "storage:list", "node-js-app")[1] == (
        "-----> node-js-app volume bind-mounts:\n       /var/lib/dokku/data/storage/node-js-app:/app/storage\n")
    assert dokku(fixed, "storage:list", "node-js-app", "--format", "json")[1] == (
        # plugins/storage entry.go LegacyMountToEntry names the colon-form mount's entry.
        f'[{{"container_path":"/app/storage","entry_name":"{legacy_entry_name(HOST)}",'
        '"host_path":"/var/lib/dokku/data/storage/node-js-app"}]\n')


def test_property_set_commands(fixed):
    assert dokku(fixed, "git:set", "node-js-app", "deploy-branch", "prod") == (0, "=====> Setting deploy-branch to prod\n", "")
    assert dokku(fixed, "git:report", "node-js-app", "--git-deploy-branch")[1] == "prod\n"
    assert dokku(fixed, "builder:set", "node-js-app", "selected", "dockerfile")[1] == "=====> Setting selected to dockerfile\n"
    assert dokku(fixed, "network:set", "node-js-app", "bogus", "x")[2].startswith(
        f"{BANG}Invalid property specified, valid properties include: attach-post-create")
    assert dokku(fixed, "ps:set", "--global", "restart-policy", "always")[0] == 0
    assert dokku(fixed, "ps:report", "api-staging", "--ps-computed-restart-policy")[1] == "always\n"


# ---------------------------------------------------------------------- config


def test_config_show_and_export(fixed):
    code, out, _ = dokku(fixed, "config:show", "node-js-app")
    assert out == ("=====> node-js-app env vars\nDATABASE_URL:  postgres://x\nEMPTY:" + " " * 9 + "\n"
                   "MULTILINE:     line one\nline two\n")
    assert dokku(fixed, "config:export", "node-js-app", "--format", "json")[1] == (
        '{"DATABASE_URL":"postgres://x","EMPTY":"","MULTILINE":"line one\\nline two"}\n')
    assert dokku(fixed, "config:export", "api-staging", "--format", "json-list")[1] == "null\n"
    assert dokku(fixed, "config:export", "node-js-app", "--format", "shell")[1] == (
        "DATABASE_URL='postgres://x' EMPTY='' MULTILINE='line one\nline two' ")
    assert dokku(fixed, "config:export", "node-js-app", "--format", "docker-args-keys")[1] == (
        "--env=DATABASE_URL --env=EMPTY --env=MULTILINE\n")
    assert dokku(fixed, "config:export", "node-js-app", "--format", "bogus") == (
        1, "", f"{BANG}Unknown export format: bogus\n")
    assert dokku(fixed, "config:keys", "node-js-app")[1] == "DATABASE_URL\nEMPTY\nMULTILINE\n"


def test_config_set_get_unset(fixed):
    code, out, _ = dokku(fixed, "config:set", "--no-restart", "api-staging", "GREETING=hello world", "SECRET=s3cr3t")
    assert (code, out) == (0, "-----> Setting config vars\n       GREETING:  hello world\n       SECRET:    s3cr3t\n")
    assert dokku(fixed, "config:get", "api-staging", "GREETING") == (0, "hello world\n", "")
    dokku(fixed, "config:set", "--no-restart", "api-staging", "N=007", "Q=it's")
    assert dokku(fixed, "config:get", "api-staging", "N")[1] == "7\n"          # godotenv integer quirk
    assert dokku(fixed, "config:get", "--quoted", "api-staging", "Q")[1] == "'it'\\''s'\n"
    assert dokku(fixed, "config:get", "api-staging", "MISSING") == (1, "", "")
    assert dokku(fixed, "config:get", "api-staging") == (1, "", f"{BANG}Expected: key\n")
    assert dokku(fixed, "config:get", "api-staging", "A", "B") == (1, "", f"{BANG}Unexpected argument(s): [B]\n")
    assert dokku(fixed, "config:set", "api-staging") == (1, "", f"{BANG}At least one env pair must be given\n")
    assert dokku(fixed, "config:set", "api-staging", "K") == (1, "", f"{BANG}Invalid env pair: K\n")
    assert dokku(fixed, "config:set", "api-staging", "1K=v") == (1, "", f"{BANG}Invalid key name: '1K'\n")
    assert dokku(fixed, "config:set", "--encoded", "api-staging", "B=abc")[2] == (
        f"{BANG}illegal base64 data at input byte 0 for key 'B'\n")
    code, out, _ = dokku(fixed, "config:set", "--encoded", "api-staging", "ML=bGluZSBvbmUKbGluZSB0d28=")
    assert dokku(fixed, "config:get", "api-staging", "ML")[1] == "line one\nline two\n"
    assert out.startswith("-----> Setting config vars\n       ML:  line one\nline two\n-----> Restarting app api-staging\n")
    assert "=====> Application deployed:" in out
    assert dokku(fixed, "config:unset", "--no-restart", "api-staging", "ML", "NOPE")[1] == (
        "-----> Unsetting ML\n-----> Skipping NOPE, it is not set in the environment\n")
    assert dokku(fixed, "config:set", "--global", "G=1")[0] == 0
    assert dokku(fixed, "config:show", "--global")[1] == "=====> global env vars\nG:  1\n"
    assert dokku(fixed, "config:set", "missing", "A=1") == (20, "", f"{BANG}App missing does not exist\n")


def test_config_set_stopped_app_is_not_restarted(home):
    dokku(home, "ps:stop", "blog")
    assert dokku(home, "config:set", "blog", "A=1") == (0, "-----> Setting config vars\n       A:  1\n", "")


def test_concurrent_writers_do_not_lose_updates(home):
    procs = [subprocess.Popen([*emulator_process.argv(), "config:set", "--no-restart", "blog", f"K{i}=v{i}"],
                              stdout=subprocess.DEVNULL, env=env_for(home)) for i in range(8)]
    assert [p.wait() for p in procs] == [0] * 8
    config = store.read_state(home)["apps"]["blog"]["config"]
    assert all(config[f"K{i}"] == f"v{i}" for i in range(8))


# ---------------------------------------------------------------------- domains, git, letsencrypt


def test_domains_commands(home):
    code, out, err = dokku(home, "domains:add", "blog", "Foo.Example.com", "blog.dokku.me")
    # is_valid_hostname lower-cases for its check only; the domain is stored as typed.
    assert out.startswith("-----> Added Foo.Example.com to blog\n-----> Skipping: blog.dokku.me already added to blog\n")
    assert "-----> Creating http nginx.conf\n       Reloading nginx\n" in out
    assert err == f"{BANG}Please run dokku letsencrypt:enable to add https support to the new domain\n"
    assert dokku(home, "domains:add", "blog", "bad domain") == (1, "", f"{BANG}bad domain is invalid. exiting...\n")
    assert dokku(home, "domains:add", "blog") == (
        1, "", f"{BANG}Please specify a domain name. Usage: dokku blog  <domain> [<domain> ...]\n")
    assert dokku(home, "domains:add", "", "x.com") == (20, "", f"{BANG}App  does not exist\n")
    assert dokku(home, "domains:add", "Bad_App", "x.com")[0] == 20
    assert dokku(home, "domains:remove", "blog", "nope.com")[1].startswith("-----> Removed nope.com from blog\n")
    assert dokku(home, "domains:clear", "blog")[1].startswith("-----> Cleared domains in blog\n")
    assert dokku(home, "domains:report", "blog", "--domains-app-vhosts")[1] == "\n"


def test_git_sync_deploys(home):
    dokku(home, "apps:create", "fresh")
    code, out, _ = dokku(home, "git:sync", "--build", "fresh", "https://github.com/dokku/smoke-test-app.git", "main")
    assert code == 0 and out.startswith("-----> Cloning fresh from https://github.com/dokku/smoke-test-app.git#main\n")
    assert "-----> Releasing fresh...\n" in out and out.endswith("       http://fresh.dokku.me\n")
    assert dokku(home, "ps:report", "fresh", "--deployed")[1] == "true\n"
    report = json.loads(dokku(home, "git:report", "fresh", "--format", "json")[1])
    assert len(report["sha"]) == 40 and abs(int(report["last-updated-at"]) - time.time()) < 60
    code, out, _ = dokku(home, "git:sync", "--build-if-changes", "fresh", "https://github.com/dokku/smoke-test-app.git", "main")
    assert out.endswith("\n       Skipping build as no changes were detected\n")


def test_letsencrypt(home):
    code, out, _ = dokku(home, "letsencrypt:list")
    lines = out.splitlines(keepends=True)
    assert lines[0] == ("-----> App name           Certificate Expiry        Time before expiry"
                        "        Time before renewal      \n")
    assert lines[1].startswith("api-staging               ") and " ago" in lines[1]
    assert lines[2].startswith("node-js-app               ") and len(lines[2]) == 26 * 4
    assert dokku(home, "letsencrypt:active", "node-js-app")[1] == "true\n"
    code, out, err = dokku(home, "letsencrypt:enable", "blog")
    assert code == 1 and out == "=====> Enabling letsencrypt for blog\n"
    assert err.startswith(f"{BANG}ERROR: Cannot request a certificate without an e-mail address!\n")
    assert dokku(home, "letsencrypt:set", "blog", "email", "me@example.com")[1] == "=====> Setting email to me@example.com\n"
    code, out, err = dokku(home, "letsencrypt:enable", "blog")
    # fn-letsencrypt-configure-and-get-dir logs the domains with `>&2`
    assert code == 0 and err == "        - Domain 'blog.dokku.me'\n" and out.endswith("-----> Done\n")
    code, out, _ = dokku(home, "letsencrypt:enable", "blog")
    assert out.endswith("-----> Pass --force to letsencrypt:enable to request a new certificate anyway\n")
    assert dokku(home, "letsencrypt:cron-job", "--add")[1] == "-----> Added cron job to dokku's crontab.\n"
    store.write_state(home, store.new_state([store.make_app("x")], plugins=store.default_plugins(community=())))
    assert dokku(home, "letsencrypt:list")[2].endswith("`letsencrypt:list` is not a dokku command.\n"
                                                         f"{BANG}See `dokku help` for a list of available commands.\n")


# ---------------------------------------------------------------------- plugins and datastores


def test_plugin_list_and_install(home):
    code, out, _ = dokku(home, "plugin:list")
    assert out.startswith("plugn: dev\n  00_dokku-standard    0.38.27 enabled    dokku core standard plugin\n")
    assert "  letsencrypt          0.25.1 enabled    Automated installation of let's encrypt TLS certificates\n" in out
    plugins = json.loads(dokku(home, "plugin:list", "--format", "json")[1])
    postgres = next(p for p in plugins if p["name"] == "postgres")
    assert len(postgres.pop("committish")) == 40  # plugin.go enrichGitSource: git rev-parse HEAD
    assert postgres == {"name": "postgres", "version": "1.48.0", "enabled": True, "core": False,
                        "description": "dokku postgres service plugin",
                        "source_url": "https://github.com/dokku/dokku-postgres.git", "branch": "master"}
    code, out, _ = dokku(home, "plugin:install", "https://github.com/dokku/dokku-mysql.git", root=True)
    assert out.startswith("-----> Cloning plugin repo https://github.com/dokku/dokku-mysql.git to "
                          "/var/lib/dokku/plugins/available/mysql\n")
    assert dokku(home, "mysql:list") == (0, "", f"{BANG}There are no MySQL services\n")
    assert dokku(home, "plugin:disable", "apps", root=True) == (1, "", f"{BANG}Cannot disable a core plugin\n")
    assert dokku(home, "plugin:uninstall", "nope", root=True) == (1, "", f"{BANG}Plugin (nope) is not currently installed\n")
    assert dokku(home, "plugin:disable", "mysql", root=True) == (
        0, "-----> Plugin mysql disabled\n-----> Priming bash-completion cache\n", "")
    assert dokku(home, "mysql:list")[2].startswith(f"{BANG}`mysql:list` is not a dokku command.")


def test_datastore_lifecycle(home):
    code, out, _ = dokku(home, "postgres:create", "analytics")
    assert out.startswith("       Waiting for container to be ready\n       Creating container database\n"
                          "       Securing connection to database\n=====> Postgres container created: analytics\n"
                          "=====> analytics postgres service information\n")
    assert "       Links:               -                        \n" in out
    assert dokku(home, "postgres:create", "analytics") == (1, "", f"{BANG}Postgres service analytics already exists\n")
    assert dokku(home, "postgres:create", "bad name!")[2] == (
        f"{BANG}Please specify a valid name for the service. Valid characters are: [A-Za-z0-9_]+\n")
    assert dokku(home, "postgres:list")[1] == "=====> Postgres services\nanalytics\nmain-db\n"
    dsn = dokku(home, "postgres:info", "analytics", "--dsn")[1].strip()
    assert dsn.startswith("postgres://postgres:") and dsn.endswith("@dokku-postgres-analytics:5432/analytics")
    code, out, _ = dokku(home, "postgres:link", "analytics", "blog", "--no-restart")
    assert out == f"-----> Setting config vars\n       DATABASE_URL:  {dsn}\n       Skipping restart of linked app\n"
    code, out, _ = dokku(home, "postgres:link", "main-db", "blog", "--no-restart")
    assert "       DOKKU_POSTGRES_AQUA_URL:  postgres://" in out
    assert dokku(home, "postgres:link", "analytics", "blog") == (1, "", f"{BANG}Already linked as DATABASE_URL\n")
    assert dokku(home, "postgres:info", "analytics", "--links")[1] == "blog \n"
    assert dokku(home, "postgres:destroy", "analytics", "-f") == (1, "", f"{BANG}Cannot delete linked service\n")
    code, out, _ = dokku(home, "postgres:unlink", "analytics", "blog")
    assert out.startswith("-----> Unsetting DATABASE_URL\n-----> Restarting app blog\n")
    assert dokku(home, "postgres:unlink", "analytics", "blog") == (1, "", f"{BANG}Not linked to app blog\n")
    code, out, err = dokku(home, "postgres:destroy", "analytics", stdin="wrong\n")
    assert (code, out) == (1, "\n") and err.endswith(f"{BANG}Confirmation did not match analytics. Aborted.\n")
    assert dokku(home, "postgres:destroy", "analytics", "--force")[1] == (
        "=====> Deleting analytics\n=====> Pausing container\n       Container paused\n"
        "       Removing container\n       Removing data\n=====> Postgres container deleted: analytics\n")
    assert dokku(home, "postgres:info", "analytics") == (1, "", f"{BANG}Postgres service analytics does not exist\n")


# ---------------------------------------------------------------------- ssh command, argv.log, logs


def test_ssh_original_command_and_argv_log(home):
    code, out, _ = dokku(home, "ignored", "argv", ssh="config:set --no-restart blog 'MSG=it'\"'\"'s $(x)' -n")
    assert code == 0 and "MSG:  it's $(x)" in out
    assert dokku(home, "config:get", "blog", "MSG")[1] == "it's $(x)\n"
    code, out, err = dokku(home, ssh='apps:list "oops')
    assert code == 0 and err == XARGS_QUOTE_ERROR.format("double") + "\n" and "blog" in out
    events = store.read_argv_log(home)
    assert events[0]["event"] == "start" and events[0]["argv"] == [
        "config:set", "--no-restart", "blog", "MSG=it's $(x)"]
    assert events[0]["root"] is False and isinstance(events[0]["ts"], float)
    assert events[1] == {**events[1], "event": "end", "exit": 0, "reason": "exit", "pid": events[0]["pid"]}
    assert events[-2]["argv"] == ["apps:list"]
    dokku(home, "apps:report", "nope", root=True)
    assert store.read_argv_log(home)[-2]["root"] is True and store.read_argv_log(home)[-1]["exit"] == 20


LOG_LINES = [("Server listening on port 5000", "web.1"), ("GET /health 200", "web.2"),
             ("", "my-worker.1"), ("Running migrations: 3 pending", "release.1")]


def test_logs_format(fixed):
    for msg, ps in LOG_LINES:
        store.append_log_line(fixed, "node-js-app", msg, ps=ps)
    code, out, _ = dokku(fixed, "logs", "node-js-app")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4
    for line, colour, (msg, ps) in zip(lines, (36, 33, 32, 35), LOG_LINES):
        prefix, _, rest = line.partition("Z app[")
        assert prefix.startswith(f"\x1b[{colour}m20") and "T" in prefix
        assert rest == f"{ps}]:\x1b[0m {msg}"
    assert dokku(fixed, "logs", "node-js-app", "-q")[1] == "".join(m + "\n" for m, _ in LOG_LINES)
    assert dokku(fixed, "logs", "node-js-app", "--quiet", "--ps", "web")[1] == "Server listening on port 5000\nGET /health 200\n"
    store.append_log_line(fixed, "node-js-app", "second", ps="web.2")
    assert dokku(fixed, "logs", "node-js-app", "-q", "-n", "1", "-p", "web.2")[1] == "second\n"
    code, _, err = dokku(fixed, "logs", "node-js-app", "-n", "abc")
    assert code == 2 and err.startswith('invalid argument "abc" for "-n, --num" flag')
    dokku(fixed, "apps:create", "idle")
    assert dokku(fixed, "logs", "idle") == (1, "", f"{BANG}App idle has not been deployed\n")
    assert dokku(fixed, "logs", "missing") == (20, "", f"{BANG}App missing does not exist\n")


def start_tail(home, *extra):
    return subprocess.Popen([*emulator_process.argv(), "logs", "node-js-app", "-t", "-q", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(home))


def read_line(stream, timeout=5.0):
    """Read one line from *stream* within *timeout* seconds."""
    result = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else None


@pytest.mark.parametrize("sig, reason, code", [(signal.SIGHUP, "SIGHUP", 129), (signal.SIGTERM, "SIGTERM", 143)])
def test_logs_tail_follows_until_signal(fixed, sig, reason, code):
    store.append_log_line(fixed, "node-js-app", "old line")
    proc = start_tail(fixed)
    assert read_line(proc.stdout) == b"old line\n"
    store.append_log_line(fixed, "node-js-app", "new line", ps="worker.1")
    assert read_line(proc.stdout) == b"new line\n"
    proc.send_signal(sig)
    assert proc.wait(timeout=5) == code
    assert store.read_argv_log(fixed)[-1] == {**store.read_argv_log(fixed)[-1], "event": "end",
                                               "exit": code, "reason": reason}


def test_logs_tail_ends_on_broken_pipe(fixed):
    store.write_settings(fixed, log_rate=50)
    proc = start_tail(fixed)
    assert read_line(proc.stdout).startswith(b"GET ")
    proc.stdout.close()  # the reader goes away: the next write fails with EPIPE
    assert proc.wait(timeout=5) == 141
    assert store.read_argv_log(fixed)[-1]["reason"] == "SIGPIPE"


def test_forced_command_runs_emulator(home):
    command = store.forced_command(home, pythonpath=ROOT, python=PYTHON)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SSH_ORIGINAL_COMMAND": "apps:exists blog"}
    assert subprocess.run(["sh", "-c", command], env=env).returncode == 0


def test_settings_inject_failures_and_delays(home):
    store.write_settings(home, fail={"ps:report": [1, " !     Access denied"], "apps:list": [0, "", "only"]})
    assert dokku(home, "ps:report", "blog") == (1, "", f"{BANG}Access denied\n")
    assert dokku(home, "apps:list") == (0, "only\n", "")
    store.write_settings(home, fail={}, delay_ms=300)
    start = time.monotonic()
    assert dokku(home, "version")[0] == 0
    assert time.monotonic() - start >= 0.3


def test_files_stay_shared_between_users(home):
    dokku(home, "apps:create", "shared")
    for name in ("state.json", "state.lock", "argv.log"):
        assert (home / name).stat().st_mode & 0o666 == 0o666, name


def test_the_emulated_latency_counts_from_the_process_start(home, monkeypatch, capsys):
    """Start-up and imports happen inside delay_ms, as a real Dokku's own start-up does."""
    from docklight.emulator import cli

    assert cli.seconds_since_start() > 0  # this test process started a while ago
    store.write_settings(home, delay_ms=300)
    slept = []
    monkeypatch.setattr(cli.time, "sleep", slept.append)
    monkeypatch.setattr(cli, "seconds_since_start", lambda: 0.25)
    assert cli.run(str(home), ["version"], root=False) == 0
    assert slept == [pytest.approx(0.05)]
    monkeypatch.setattr(cli, "seconds_since_start", lambda: 0.5)  # slower than Dokku
    cli.run(str(home), ["version"], root=False)
    assert slept[-1] == 0.0
    assert capsys.readouterr().out.startswith("dokku version ")

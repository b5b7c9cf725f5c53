"""Network & Docker tab: network properties and per-phase docker options.

Docker options go straight onto Dokku's `docker build` / `docker run` lines,
so several of them hand the container root on the host (`--privileged`,
`-v /:/host`, the Docker socket, host namespaces, capabilities, devices).
Adding an option therefore needs an explicit confirmation, and the page
names the specific risk of each dangerous option it recognises.
"""

from __future__ import annotations

import posixpath
import shlex

from flask import g, request

from docklight import services
from docklight.dokku import commands, parsers
from docklight.dokku.validators import ValidationError
from docklight.views.answers import FieldNames, current_actor
from docklight.views.app_page import (app_report, bp, build_and_write, form_error, render_tab,
                                      write_and_answer)

TAB = "network"
TEMPLATE = "app/_network.html"
PROPERTY_HELP = {
    "attach-post-create": "network joined after a container is created, before it starts",
    "attach-post-deploy": "network joined once the deploy (and its checks) succeeded, "
                          "before the proxy switches",
    "bind-all-interfaces": "true: listen on all interfaces even with the proxy on",
    "initial-network": "network a container is created on; usually the wrong phase "
                       "(blocks routing)",
    "static-web-listener": "host:port of a web listener outside Dokku, e.g. 127.0.0.1:5000",
    "tld": "suffix of the app's network aliases, e.g. svc.cluster.local",
}
CONFIRM_MESSAGE = ("Tick this box to confirm that you understand this option runs with "
                   "root-equivalent power on the host.")

# Host paths whose bind mount exposes the host: system files, credentials,
# kernel interfaces, Docker's and Dokku's own data.
_DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
_SENSITIVE_PATHS = ("/etc", "/root", "/home", "/boot", "/proc", "/sys", "/dev", "/usr",
                    "/bin", "/sbin", "/lib", "/lib64", "/var/lib/docker", "/var/lib/dokku",
                    "/var/run", "/run", "/home/dokku")
_STORAGE_ROOT = "/var/lib/dokku/data/storage"
_NAMESPACES = {"--ipc": "IPC", "--uts": "hostname (UTS)", "--userns": "user",
               "--cgroupns": "cgroup"}


def _pairs(option: str) -> list[tuple[str, str]]:
    """Split an option string into (flag, value) pairs: `--a=b`, `--a b`, `-vX`."""
    try:
        words = shlex.split(option)
    except ValueError:
        words = option.split()
    pairs, i = [], 0
    while i < len(words):
        word = words[i]
        i += 1
        if not word.startswith("-"):
            continue
        if "=" in word and word.startswith("--"):
            flag, value = word.split("=", 1)
        elif not word.startswith("--") and len(word) > 2:
            flag, value = word[:2], word[2:].lstrip("=")  # -v/a:/b
        else:
            flag, value = word, ""
            if i < len(words) and not words[i].startswith("-"):
                value = words[i]
                i += 1
        pairs.append((flag, value))
    return pairs


def _mount_risk(flag: str, host: str) -> str | None:
    """Name the risk of bind-mounting host path host, if it is a dangerous one."""
    if not host.startswith("/"):
        return None  # a named Docker volume
    path = posixpath.normpath(host)
    if path in _DOCKER_SOCKETS:
        return (f"{flag} {host}: mounts the Docker socket. Whoever controls the container "
                "controls Docker, and so is root on the host.")
    if path == "/":
        return (f"{flag} {host}: mounts the host's whole filesystem. The container can read "
                "and change any file on the host.")
    if path == _STORAGE_ROOT or path.startswith(_STORAGE_ROOT + "/"):
        return None  # Dokku's own place for app data
    for sensitive in _SENSITIVE_PATHS:
        if path == sensitive or path.startswith(sensitive + "/"):
            return (f"{flag} {host}: mounts the host directory {path}, which holds system "
                    "files, credentials or kernel interfaces.")
    return None


def docker_option_risks(option: str) -> list[str]:
    """Return one sentence per root-equivalent power option grants (empty if none known)."""
    risks = []
    for flag, value in _pairs(option):
        lowered = value.lower()
        if flag == "--privileged" and lowered in ("", "true"):
            risks.append("--privileged: the container gets every kernel capability and every "
                         "host device; root inside it is root on the host.")
        elif flag == "--pid" and lowered == "host":
            risks.append("--pid=host: the container sees every process of the host and can "
                         "signal or trace them.")
        elif flag in ("--net", "--network") and lowered == "host":
            risks.append(f"{flag}=host: the container shares the host's network stack; it can "
                         "reach services bound to the host's localhost and listen on any host "
                         "port.")
        elif flag in _NAMESPACES and lowered == "host":
            risks.append(f"{flag}=host: the container shares the host's "
                         f"{_NAMESPACES[flag]} namespace, weakening its isolation from the host.")
        elif flag == "--cap-add":
            risks.append(f"--cap-add {value or '…'}: grants a kernel capability; capabilities "
                         "such as ALL, SYS_ADMIN, SYS_PTRACE or SYS_MODULE let a process escape "
                         "to the host.")
        elif flag == "--device":
            risks.append(f"--device {value or '…'}: gives the container direct access to a "
                         "host device.")
        elif flag == "--security-opt" and ("unconfined" in lowered or "disable" in lowered
                                           or "no-new-privileges=false" in lowered):
            risks.append(f"--security-opt {value}: turns off a security profile (AppArmor, "
                         "seccomp or SELinux) that confines the container.")
        elif flag in ("-v", "--volume"):
            risk = _mount_risk(flag, value.split(":", 1)[0])
            if risk:
                risks.append(risk)
        elif flag == "--mount":
            fields = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
            source = fields.get("source") or fields.get("src") or ""
            risk = _mount_risk(flag, source)
            if risk:
                risks.append(risk)
    return risks


def _context() -> dict:
    """Read network:report and docker-options:report."""
    network = parsers.read_report("network", app_report("network"))
    options = parsers.read_report("docker-options", app_report("docker-options"))
    phases = {phase: [(o, docker_option_risks(o)) for o in getattr(options, phase)]
              for phase in commands.PHASES}
    # Dokku 0.38+: deploy options scoped to one process type (docker-options --process).
    per_process = {proc: [(o, docker_option_risks(o)) for o in opts]
                   for proc, opts in options.processes.items()}
    return {"network": network, "properties": commands.NETWORK_PROPERTIES,
            "property_help": PROPERTY_HELP, "phases": commands.PHASES,
            "docker_options": phases, "process_options": per_process, "risks": []}


def _posted_form() -> dict:
    """Return the posted form with the phase checkboxes as a list."""
    form = request.form.to_dict(flat=True)
    if "option" in form:  # the add form: keep exactly the phases it ticked
        form["phases"] = request.form.getlist("phases")
    else:
        form.pop("phases", None)
    form["clear_phases"] = request.form.getlist("clear_phases")
    form.pop("confirm_risk", None)  # the confirmation is asked for every time
    if "remove_option" in form:  # a row's hidden process is not the add form's
        form.pop("process", None)
    return form


def _write(build, fields: FieldNames = None):
    """Build a command from the form (may raise ValidationError), run it, answer."""
    return build_and_write(build, TAB, TEMPLATE, _context, fields, _posted_form())


@bp.get("/network")
def network():
    """Show the app's network properties and docker options."""
    return render_tab(TAB, TEMPLATE, **_context())


@bp.post("/network/set")
def network_set_POST():
    """Set a network property, or reset it with an empty value (`network:set`)."""
    # A row's Reset button posts hidden fields: its message goes above the table.
    row = request.form.get("row") == "1"
    return _write(lambda: commands.network_set(g.app, request.form.get("property", ""),
                                               request.form.get("value", "").strip()),
                  {"property": "network_row", "value": "network_row"} if row else None)


@bp.post("/docker-options/add")
def docker_options_add_POST():
    """Add a docker option for some phases, once its risk is confirmed (`docker-options:add`)."""
    option = request.form.get("option", "")
    risks: list[str] = []
    try:
        # Which shell syntax an option may hold depends on the Dokku release
        # that stores it (docklight/dokku/docker_option_shell.py).
        version = services.dokku().version(actor=current_actor()).as_tuple()
        command = commands.docker_options_change("add", g.app, request.form.getlist("phases"),
                                                 option, request.form.get("process", "").strip(),
                                                 dokku_version=version)
        if request.form.get("confirm_risk") != "yes":
            risks = docker_option_risks(option)
            raise ValidationError("confirm_risk", " ".join([CONFIRM_MESSAGE, *risks]))
    except ValidationError as exc:
        return form_error(TAB, TEMPLATE, exc, form=_posted_form(), **{**_context(), "risks": risks})
    return write_and_answer(command, TAB, TEMPLATE, _context, form=_posted_form())


@bp.post("/docker-options/remove")
def docker_options_remove_POST():
    """Remove one docker option from one phase, or one process type's scope (`docker-options:remove`)."""
    # A row's remove button: the message goes above the list.
    return _write(lambda: commands.docker_options_change(
        "remove", g.app, [request.form.get("phase", "")], request.form.get("remove_option", ""),
        request.form.get("process", "")),
        {"phases": "options_row", "option": "options_row", "process": "options_row"})


@bp.post("/docker-options/clear")
def docker_options_clear_POST():
    """Clear the docker options of some phases or of one process type (`docker-options:clear`).

    Without a process type Dokku clears the default scope only; options
    scoped to a process type stay (plugins/docker-options clearDefaultScope).
    """
    return _write(lambda: commands.docker_options_clear(
        g.app, request.form.getlist("clear_phases"), request.form.get("clear_process", "").strip()),
        {"phases": "clear_phases", "process": "clear_process"})

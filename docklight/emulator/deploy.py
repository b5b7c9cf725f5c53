"""Build and deploy transcripts and the state changes they imply.

The deploy lines follow plugins/common/functions release_and_deploy,
plugins/scheduler-docker-local/scheduler-deploy and bin/scheduler-deploy-process*,
and plugins/nginx-vhosts (proxy rebuild); the build lines are a representative
herokuish/Dockerfile build, whose real text comes from the builder image.
"""

from .core import INFO1, INFO2, VERBOSE
from . import state as store


def app_urls(st, app):
    """Return the URLs `=====> Application deployed:` lists."""
    scheme = "https" if app["letsencrypt"]["enabled"] else "http"
    if app["proxy"]["enabled"] and app["domains_enabled"] and app["domains"]:
        return [f"{scheme}://{d}" for d in app["domains"]]
    host = (st["global"]["domains"] or ["127.0.0.1"])[0]
    ports = app["ports"] or app["ports_detected"] or ["http:80:5000"]
    return [f"http://{host}:{p.split(':')[1]}" for p in ports if p.startswith("http:")]


def proxy_rebuild_lines(st, app):
    """Return the nginx lines of a proxy rebuild (empty if no proxy)."""
    if not app["deployed"] or not app["proxy"]["enabled"]:
        return []
    lines = []
    if app["domains_enabled"]:
        lines += [f"{INFO1}Configuring {d}...(using built-in template)" for d in app["domains"]]
    kind = "https" if app["letsencrypt"]["enabled"] else "http"
    lines += [f"{INFO1}Creating {kind} nginx.conf", f"{VERBOSE}Reloading nginx"]
    return lines


def check_lines(app, proc, index):
    """Return the zero-downtime check lines for one container."""
    checks = app["checks"]
    name = f"{proc}.{index}"
    if proc in checks["disabled"] or "_all_" in checks["disabled"]:
        return [f"{VERBOSE}Zero downtime checks disabled, stopping old containers ({name})"]
    if proc in checks["skipped"] or "_all_" in checks["skipped"]:
        return [f"{VERBOSE}Skipping pre-flight checks ({name})"]
    return [
        f"{VERBOSE}Attempting pre-flight checks ({name})",
        f"{VERBOSE}Waiting for 10 seconds ({name})",
        f"{VERBOSE}Default container check successful ({name})",
    ]


def deploy_lines(st, name, app, *, release=True, procs=None):
    """Return the deploy transcript of *app* (release-and-deploy when *release*)."""
    lines = []
    if release:
        lines += [f"{INFO1}Releasing {name}...", f"{INFO1}Deploying {name} via the docker-local scheduler..."]
    for proc in sorted(app["processes"]):
        count = int(app["processes"][proc])
        if count <= 0 or (procs is not None and proc not in procs):
            continue
        lines.append(f"{INFO1}Deploying {proc} (count={count})")
        for index in range(1, count + 1):
            lines += check_lines(app, proc, index)
            lines.append(f"{VERBOSE}Scheduling old container shutdown in 60 seconds ({proc}.{index})")
    lines.append(f"{INFO1}Running post-deploy")
    lines += proxy_rebuild_lines(st, app)
    lines.append(f"{INFO1}Shutting down old containers in 60 seconds")
    if release:
        lines.append(f"{INFO2}Application deployed:")
        lines += [VERBOSE + url for url in app_urls(st, app)]
    return lines


def builder_name(app):
    """Return the builder a build would use."""
    return app["builder"]["selected"] or app["builder"]["detected"] or "herokuish"


def build_lines(name, app):
    """Return a plausible build transcript for *app*'s builder."""
    builder = builder_name(app)
    procs = ", ".join(sorted(app["procfile"] or ["web"]))
    if builder == "dockerfile":
        return [
            f"{INFO1}Cleaning up...",
            f"{INFO1}Building {name} from Dockerfile",
            '#0 building with "default" instance using docker driver',
            "#1 [internal] load build definition from Dockerfile",
            "#1 transferring dockerfile: 312B done",
            "#1 DONE 0.0s",
            "#2 [internal] load metadata for docker.io/library/node:20-alpine",
            "#2 DONE 0.6s",
            "#3 [1/4] FROM docker.io/library/node:20-alpine",
            "#3 CACHED",
            "#4 [2/4] COPY package*.json ./",
            "#4 DONE 0.1s",
            "#5 [3/4] RUN npm ci --omit=dev",
            "#5 2.104 added 57 packages in 2s",
            "#5 DONE 2.4s",
            "#6 exporting to image",
            "#6 writing image sha256:" + store.hexid("image", name, app.get("release", 1)) + " done",
            "#6 DONE 0.4s",
        ]
    return [
        f"{INFO1}Cleaning up...",
        f"{INFO1}Building {name} from {builder}",
        f"{INFO1}Adding BUILD_ENV to build environment...",
        f"{VERBOSE}BUILD_ENV added successfully",
        f"{INFO1}Node.js app detected",
        f"{INFO1}Creating runtime environment",
        f"{VERBOSE}NPM_CONFIG_LOGLEVEL=error",
        f"{VERBOSE}NODE_ENV=production",
        f"{INFO1}Installing binaries",
        f"{VERBOSE}engines.node (package.json):  20.x",
        f"{VERBOSE}Resolving node version 20.x...",
        f"{VERBOSE}Downloading and installing node 20.19.4...",
        f"{INFO1}Installing dependencies",
        f"{VERBOSE}Installing node modules",
        f"{VERBOSE}added 57 packages, and audited 58 packages in 2s",
        f"{INFO1}Build succeeded!",
        f"{INFO1}Discovering process types",
        f"{VERBOSE}Procfile declares types -> {procs}",
    ]


def restart_containers(app, procs=None):
    """Replace containers (all, or of *procs*) with new running ones."""
    app["release"] = int(app.get("release", 1)) + 1
    fresh = store.build_containers(app)
    if procs is None:
        app["containers"] = fresh
    else:
        kept = [c for c in app["containers"] if c["proc"] not in procs]
        app["containers"] = sorted(kept + [c for c in fresh if c["proc"] in procs],
                                   key=lambda c: (c["proc"], c["index"]))
    app["restore"] = True

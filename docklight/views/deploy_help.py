"""How to deploy an app, where it answers, and what deployed it: the top of the Deploy tab.

- ``git_remote`` is the remote a developer adds: ``dokku@HOST:APP`` (OpenSSH's
  scp form) when Dokku's SSH listens on 22, ``ssh://dokku@HOST:PORT/APP``
  otherwise (the scp form cannot carry a port).
- ``app_urls`` follows Dokku's domains-urls trigger (plugins/domains/
  domains-urls and fn-domains-generate-urls-from-config / fn-domains-generate-url
  in plugins/domains/internal-functions): one URL per app vhost (the global
  vhosts when the app has none) and per port mapping (the configured ones,
  else the detected ones), https mappings only with a certificate, no port for
  http:80 and https:443. With the proxy off Dokku lists the web listeners'
  ports instead, which no report shows, so no URL is offered then.
- ``deploy_history`` is what Docklight itself ran that builds or deploys the
  app (git:sync, git:from-*, git:load-image, ps:rebuild), newest first, with
  who asked and a link to each job's output.
"""

from __future__ import annotations

from docklight import services
from docklight.dokku.parsers.values import PortMapping
from docklight.dokku.targets import SSHTarget
from docklight.jobs import JobRecord

DEPLOY_SUBCOMMANDS = ("git:sync", "git:from-image", "git:from-archive", "git:load-image",
                      "ps:rebuild")
HISTORY_LIMIT = 20


def git_remote(target: SSHTarget | None, request_host: str, app: str) -> str:
    """Return the git remote URL that deploys app."""
    if target is None:  # Dokku runs on this host: reach it by the name the browser used
        return f"dokku@{request_host}:{app}"
    host = f"[{target.host}]" if ":" in target.host else target.host
    if target.port == 22:
        return f"{target.user}@{host}:{app}"
    return f"ssh://{target.user}@{host}:{target.port}/{app}"


def _url(scheme: str, vhost: str, port: int) -> str:
    if port == 80:
        return f"http://{vhost}"
    if port == 443 and scheme == "https":
        return f"https://{vhost}"
    return f"{scheme}://{vhost}:{port}"


def app_urls(vhosts: tuple[str, ...], global_vhosts: tuple[str, ...],
             ports: tuple[PortMapping, ...], certs: bool, proxy_enabled: bool) -> list[str]:
    """Return the app's URLs as Dokku's `urls` lists them (see the module docstring)."""
    if not proxy_enabled:
        return []
    default = ("https", 443) if certs else ("http", 80)
    urls = []
    for vhost in vhosts or global_vhosts:
        if not ports:
            urls.append(_url(default[0], vhost, default[1]))
        for mapping in ports:
            if mapping.scheme == "https" and not certs:
                continue
            urls.append(_url(mapping.scheme, vhost, mapping.host_port))
    return sorted(set(urls))


def _subcommand(job: JobRecord) -> str:
    words = job.command.split()
    return words[1] if words[:1] == ["dokku"] and len(words) > 1 else (words or [""])[0]


def deploy_history(app: str) -> list[JobRecord]:
    """Return the jobs Docklight ran that built or deployed app, newest first."""
    jobs = services.get().jobs.recent(limit=200, app=app)
    deploys = [j for j in jobs if _subcommand(j) in DEPLOY_SUBCOMMANDS]
    deploys.sort(key=lambda j: j.createdAt, reverse=True)
    return deploys[:HISTORY_LIMIT]

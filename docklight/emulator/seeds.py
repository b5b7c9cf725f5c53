"""Ready-made emulator hosts: the demo, an empty host and N apps for benchmarks.

Each seed is a whole state built from the records in state.py; the emulator
writes one when its home has no state yet (DOKKU_EMULATOR_SEED picks which).
They are fixtures, not behaviour, so they follow no Dokku source; the records
they use (state.make_app and friends) hold Dokku's defaults.
"""

import time

from .state import make_app, make_service, new_state, service_dsn


def seed_demo():
    """Return a realistic demo host: apps in every state, two linked services."""
    now = int(time.time())
    day = 86400
    pg = make_service("postgres", "main-db", links=["node-js-app"], created_at=now - 90 * day)
    redis = make_service("redis", "cache", links=["api-staging"], created_at=now - 40 * day)
    node = make_app(
        "node-js-app", processes={"release": 0, "web": 2, "worker": 1},
        domains=["node-js-app.dokku.me", "www.example.com"], created_at=now - 120 * day,
        last_deployed_at=now - 2 * day,
        config={"DATABASE_URL": service_dsn("postgres", "main-db", pg), "NODE_ENV": "production",
                "GREETING": "hello world", "SECRET_KEY": "s3cr3t-value"},
    )
    node["git"]["deploy_branch"] = "main"
    node["ports"] = ["http:80:5000", "https:443:5000"]
    node["buildpacks"] = ["https://github.com/heroku/heroku-buildpack-nodejs.git"]
    node["letsencrypt"].update(email="ops@example.com", enabled=True, expires_at=now + 75 * day)
    node["storage"] = [{"entry_name": "node-js-app-storage", "host_path": "/var/lib/dokku/data/storage/node-js-app",
                        "container_path": "/app/storage", "phases": ["deploy", "run"],
                        "readonly": False, "volume_options": ""}]
    node["resources"] = {"web.limit.memory": "512m", "web.reserve.memory": "256m"}
    node["docker_options"]["deploy"] = ["--restart=on-failure:10"]
    node["network"] = {"attach-post-deploy": "backend-net"}
    node["checks"]["skipped"] = ["worker"]

    api = make_app(
        "api-staging", processes={"web": 1, "worker": 1}, created_at=now - 60 * day,
        domains=["api-staging.dokku.me", "api.staging.example.com"], last_deployed_at=now - 3600,
        config={"REDIS_URL": service_dsn("redis", "cache", redis), "LOG_LEVEL": "debug",
                "QUOTED": "it's \"quoted\" & <tagged>", "UNICODE": "héllo wörld ☃"},
    )
    api["letsencrypt"].update(email="ops@example.com", enabled=True, expires_at=now - 3 * day)

    worker = make_app("worker-queue", running=False, processes={"worker": 2}, domains=[],
                      created_at=now - 200 * day, config={"QUEUE": "default"})
    worker["domains_enabled"] = False
    worker["proxy"]["enabled"] = False

    blog = make_app("blog", running="mixed", processes={"web": 2}, created_at=now - 10 * day,
                    config={"WP_ENV": "production"})
    blog["builder"]["selected"] = "dockerfile"
    blog["builder"]["detected"] = "dockerfile"

    fresh = make_app("new-service", deployed=False, created_at=now - 3600)

    legacy = make_app("legacy_app", created_at=now - 900 * day, last_deployed_at=now - 400 * day,
                      config={"RAILS_ENV": "production"})
    legacy["locked"] = True

    services = {"postgres": {"main-db": pg}, "redis": {"cache": redis}}
    return new_state(
        [node, api, worker, blog, fresh, legacy],
        global_config={"CURL_CONNECT_TIMEOUT": "90", "CURL_TIMEOUT": "600"},
        services=services,
    )


def seed_many(n):
    """Return a state with *n* deployed, running apps (for benchmarks)."""
    now = int(time.time())
    apps = [make_app(f"app-{i:04d}", processes={"web": 1 + i % 2, "worker": int(i % 3 == 0)},
                     created_at=now - i * 3600, config={"INDEX": str(i)})
            for i in range(n)]
    return new_state(apps)


def seed_empty():
    """Return a host with no apps."""
    return new_state([])


def seed_by_name(name):
    """Return the seed called *name* (``demo``, ``empty`` or ``many:N``)."""
    if name == "empty":
        return seed_empty()
    if name.startswith("many:"):
        return seed_many(int(name.split(":", 1)[1]))
    return seed_demo()

"""The allowlist: one builder per Dokku subcommand Docklight may run.

Each builder validates its arguments (docklight.dokku.validators) and returns
a Command. ``ALLOWED`` is the data behind it: every subcommand some builder can
produce, and nothing else. ``docklight acl-commands`` prints it for the
dokku-acl plugin. Builders never touch the network.

Argument forms are chosen for the trip through Dokku's xargs re-split
(reference 0.1): long options only (`logs --num`, never `-n`, which /bin/echo
would swallow), and config values always base64 (`config:set --encoded`).

The builders live in one module per area (host, apps, config, domains,
deploy, storage, network, plugins) on top of allowlist.py, which holds
ALLOWED and the one Command constructor; this package names them all.
"""

from __future__ import annotations

from docklight.dokku.commands.allowlist import (ALLOWED, REPORT_PLUGINS, DATASTORE_PLUGINS,
                                                DATASTORE_VERBS, PHASES, NETWORK_PROPERTIES,
                                                BUILDERS, CHECK_ACTIONS, allows, _command,
                                                _DYNAMIC_DATASTORES, GIT_SPLIT_RULE,
                                                is_split_by_bash)
from docklight.dokku.commands.host import (version, host_report, cleanup, REPO_ACTIONS,
                                           repo_action, report)
from docklight.dokku.commands.apps import (apps_list, apps_create, apps_destroy, apps_rename,
                                           apps_unlock, apps_lock, ps_action, ps_scale, logs)
from docklight.dokku.commands.config import (config_export, config_keys, config_get,
                                             storable_config_value, config_set, config_unset)
from docklight.dokku.commands.domains import (domains_change, domains_toggle, ports_change,
                                              ports_clear, proxy_toggle, letsencrypt_list,
                                              letsencrypt_active, letsencrypt_set_email,
                                              letsencrypt_action)
from docklight.dokku.commands.deploy import (_GIT_WIRE_SAFE, GIT_SYNC_SCHEMES, git_sync, git_set,
                                             _BUILD_DIR_RE, builder_set, buildpacks_list,
                                             buildpacks_change, buildpacks_remove_at,
                                             buildpacks_clear, checks_change, checks_run)
from docklight.dokku.commands.storage import (_MOUNT_PATH_RE, storage_list, storage_change,
                                              _STORAGE_ENTRY_RE, storage_unmount_volume,
                                              storage_unmount_entry, resource_set,
                                              RESOURCE_DEFAULT_PROCESS, resource_clear,
                                              resource_clear_everything)
from docklight.dokku.commands.network import (network_set, _ECHO_WORD_RE,
                                              docker_options_change, docker_options_clear)
from docklight.dokku.commands.plugins import (plugin_list, plugin_install, plugin_update,
                                              plugin_action, register_datastore, service_list,
                                              service_info, service_create, service_link,
                                              service_destroy, service_exists)

__all__ = [
    "GIT_SPLIT_RULE", "is_split_by_bash",
    "ALLOWED", "BUILDERS", "CHECK_ACTIONS", "DATASTORE_PLUGINS", "DATASTORE_VERBS",
    "GIT_SYNC_SCHEMES", "NETWORK_PROPERTIES", "PHASES", "REPORT_PLUGINS", "REPO_ACTIONS",
    "RESOURCE_DEFAULT_PROCESS", "_BUILD_DIR_RE",
    "_DYNAMIC_DATASTORES", "_ECHO_WORD_RE", "_GIT_WIRE_SAFE", "_MOUNT_PATH_RE",
    "_STORAGE_ENTRY_RE", "_command", "allows", "apps_create", "apps_destroy", "apps_list",
    "apps_lock", "apps_rename", "apps_unlock", "builder_set", "buildpacks_change",
    "buildpacks_clear", "buildpacks_list", "buildpacks_remove_at", "checks_change", "checks_run", "cleanup",
    "config_export", "config_get", "config_keys", "config_set", "config_unset",
    "docker_options_change", "docker_options_clear", "domains_change", "domains_toggle",
    "git_set", "git_sync", "host_report", "letsencrypt_action", "letsencrypt_active",
    "letsencrypt_list", "letsencrypt_set_email", "logs", "network_set", "plugin_action",
    "plugin_install", "plugin_list", "plugin_update", "ports_change", "ports_clear",
    "proxy_toggle", "ps_action", "ps_scale", "register_datastore", "repo_action", "report",
    "resource_clear", "resource_clear_everything", "resource_set", "service_create",
    "service_destroy", "service_exists", "service_info", "service_link", "service_list",
    "storable_config_value", "storage_change", "storage_list", "storage_unmount_entry",
    "storage_unmount_volume", "version",
]

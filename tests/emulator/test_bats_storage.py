"""Dokku's storage unit tests (tests/unit/storage-1.bats) ported to the emulator, for the commands Docklight drives.

Ported: mount/list/unmount in the colon form, the report's phase lists and
per-attachment keys, and named entries (storage:create, then mount and
unmount by name with --container-dir). Left out: ensure-directory,
storage:exec/migrate/destroy/set, annotations and labels, and the sudo
helper scripts (host-side effects and commands Docklight never sends).
"""

import json

from tests.emulator.bats import ok, one_app

APP = "dokku-test-app"
dokku = one_app(APP)


def listed(dokku):
    """Return `storage:list APP --format json` parsed."""
    return json.loads(ok(dokku, "storage:list", APP, "--format", "json"))


def reported(dokku):
    """Return `storage:report APP --format json` parsed."""
    return json.loads(ok(dokku, "storage:report", APP, "--format", "json"))


def test_storage_mount_list_unmount(dokku):
    """storage-1.bats: "(storage) storage:mount, storage:list, storage:umount"."""
    ok(dokku, "storage:mount", APP, "/tmp/mount:/mount")
    assert ok(dokku, "--quiet", "storage:list", APP) == "/tmp/mount:/mount\n"
    rows = listed(dokku)
    assert len(rows) == 1
    assert (rows[0]["host_path"], rows[0]["container_path"]) == ("/tmp/mount", "/mount")
    assert not any("volume_options" in r or "readonly" in r for r in rows)
    again = dokku.run("storage:mount", APP, "/tmp/mount:/mount")
    assert (again.status, again.output) == (1, " !     Mount path already exists.\n")
    ok(dokku, "storage:unmount", APP, "/tmp/mount:/mount")
    assert ok(dokku, "--quiet", "storage:list", APP) == ""
    assert listed(dokku) == []
    gone = dokku.run("storage:unmount", APP, "/tmp/mount:/mount")
    assert (gone.status, gone.output) == (1, " !     Mount path does not exist.\n")
    ok(dokku, "storage:mount", APP, "mount_volume:/mount")
    assert ok(dokku, "--quiet", "storage:list", APP) == "mount_volume:/mount\n"


def test_storage_report_mounts_raw(dokku):
    """storage-1.bats: "(storage:report) build/deploy/run mounts raw"."""
    data = reported(dokku)
    assert (data["storage-build-mounts"], data["storage-deploy-mounts"],
            data["storage-run-mounts"]) == ("", "", "")
    assert [k for k in data if k.startswith("attachment.")] == []
    ok(dokku, "storage:mount", APP, "/tmp/storage-mount:/mount")
    data = reported(dokku)
    assert data["storage-deploy-mounts"] == "-v /tmp/storage-mount:/mount"
    assert data["storage-run-mounts"] == "-v /tmp/storage-mount:/mount"
    assert data["storage-build-mounts"] == ""
    assert len([k for k in data if k.startswith("attachment.")]) == 9
    ok(dokku, "storage:unmount", APP, "/tmp/storage-mount:/mount")


def test_storage_report_per_attachment_keys(dokku):
    """storage-1.bats: "(storage:report) emits per-attachment dotted keys"."""
    ok(dokku, "storage:create", "rdmtest-rpt")
    ok(dokku, "storage:mount", APP, "rdmtest-rpt", "--container-dir", "/data", "--phase", "deploy",
       "--phase", "run", "--volume-options", "Z", "--volume-chown", "herokuish",
       "--volume-subpath", "uploads")
    data = reported(dokku)
    assert {k: data[f"attachment.1.{k}"] for k in (
        "entry-name", "host-path", "container-path", "phases", "process-type", "subpath",
        "readonly", "volume-options", "volume-chown")} == {
        "entry-name": "rdmtest-rpt", "host-path": "/var/lib/dokku/data/storage/rdmtest-rpt",
        "container-path": "/data", "phases": "deploy,run", "process-type": "_default_",
        "subpath": "uploads", "readonly": "false", "volume-options": "Z",
        "volume-chown": "herokuish"}
    text = ok(dokku, "storage:report", APP)
    for label in ("Storage attachment 1 entry name", "Storage attachment 1 volume options",
                  "Storage attachment 1 volume chown", "herokuish"):
        assert label in text
    assert ok(dokku, "storage:report", APP, "--storage-attachment.1.volume-options") == "Z\n"
    ok(dokku, "storage:unmount", APP, "rdmtest-rpt", "--container-dir", "/data")
    assert listed(dokku) == []


def test_storage_named_entries_on_one_app(dokku):
    """storage-1.bats: "storage:create + storage:mount with named entry attaches multiple entries"."""
    ok(dokku, "storage:create", "rdmtest-data")
    ok(dokku, "storage:create", "rdmtest-cache")
    ok(dokku, "storage:mount", APP, "rdmtest-data", "--container-dir", "/data")
    ok(dokku, "storage:mount", APP, "rdmtest-cache", "--container-dir", "/cache")
    assert sorted(r["entry_name"] for r in listed(dokku)) == ["rdmtest-cache", "rdmtest-data"]
    ok(dokku, "storage:unmount", APP, "rdmtest-data")
    ok(dokku, "storage:unmount", APP, "rdmtest-cache")
    assert listed(dokku) == []


def test_storage_mount_volume_options_on_named_entry(dokku):
    """storage-1.bats: "(storage:mount) --volume-options sets option on named-entry attachment"."""
    ok(dokku, "storage:create", "rdmtest-opts")
    ok(dokku, "storage:mount", APP, "rdmtest-opts", "--container-dir", "/data", "--volume-options", "Z")
    assert [(r["volume_options"], r["container_path"]) for r in listed(dokku)] == [("Z", "/data")]
    assert ":Z" in reported(dokku)["storage-deploy-mounts"]
    ok(dokku, "storage:mount", APP, "rdmtest-opts", "--container-dir", "/ro", "--volume-options",
       "noexec,nosuid", "--volume-readonly")
    assert ":ro,noexec,nosuid" in reported(dokku)["storage-deploy-mounts"]
    rows = {r["container_path"]: r for r in listed(dokku)}
    assert (rows["/ro"]["readonly"], rows["/ro"]["volume_options"]) == (True, "noexec,nosuid")
    assert "readonly" not in rows["/data"]
    ok(dokku, "storage:unmount", APP, "rdmtest-opts", "--container-dir", "/data")
    ok(dokku, "storage:unmount", APP, "rdmtest-opts", "--container-dir", "/ro")


def test_storage_mount_updates_in_place(dokku):
    """storage-1.bats: "(storage:mount) re-running against an existing (entry, container-dir) updates in place"."""
    ok(dokku, "storage:create", "rdmtest-upsert")
    ok(dokku, "storage:mount", APP, "rdmtest-upsert", "--container-dir", "/data", "--volume-options", "Z")
    ok(dokku, "storage:mount", APP, "rdmtest-upsert", "--container-dir", "/data", "--volume-options",
       "noexec,nosuid")
    assert [r["volume_options"] for r in listed(dokku)] == ["noexec,nosuid"]
    ok(dokku, "storage:mount", APP, "rdmtest-upsert", "--container-dir", "/data", "--volume-options",
       "noexec,nosuid", "--volume-readonly")
    assert [r["readonly"] for r in listed(dokku)] == [True]
    ok(dokku, "storage:mount", APP, "rdmtest-upsert", "--container-dir", "/data", "--volume-options",
       "noexec,nosuid")
    assert ["readonly" in r for r in listed(dokku)] == [False]
    ok(dokku, "storage:mount", APP, "rdmtest-upsert", "--container-dir", "/other")
    assert len(listed(dokku)) == 2


def test_colon_unmount_of_a_named_entry_is_refused(dokku):
    """subcommands.go unmountLegacyColon: the colon form only finds legacy-<hash> entries."""
    ok(dokku, "storage:create", "uploads")
    ok(dokku, "storage:mount", APP, "uploads", "--container-dir", "/app/uploads")
    refused = dokku.run("storage:unmount", APP, "/var/lib/dokku/data/storage/uploads:/app/uploads")
    assert (refused.status, refused.output) == (1, " !     Mount path does not exist.\n")
    assert len(listed(dokku)) == 1
    ok(dokku, "storage:unmount", APP, "uploads", "--container-dir", "/app/uploads")
    assert listed(dokku) == []

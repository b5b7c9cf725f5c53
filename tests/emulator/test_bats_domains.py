"""Dokku's domains unit tests (tests/unit/domains.bats) ported to the emulator.

The bats `domains:report APP 2>/dev/null | grep ...` reads become reads of
`--domains-app-vhosts` (the same VHOST file, report.go reportAppVhosts).

Left out, because they need a real deploy, nginx or an image pull:
"verify warning on ipv4/ipv6 domain name" (nginx's default site and a deploy)
and "https:443" (git:from-image of a public image and its detected ports).

Beyond the bats cases, the tests at the end pin what plugins/domains does with
the very commands the cases run: domains:remove is a sed regex, disable deletes
the VHOST file, clone sets up the defaults again.
"""

import json

import pytest

from tests.emulator.bats import ok, one_app

APP = "dokku-test-app"
DOMAIN = "dokku.me"
dokku = one_app(APP)


def vhosts(dokku, app=APP):
    """Return the app's domains as `domains:report --domains-app-vhosts` lists them."""
    return ok(dokku, "domains:report", app, "--domains-app-vhosts").split()


def global_vhosts(dokku):
    """Return the global domains as `domains:report --global` lists them."""
    return ok(dokku, "domains:report", "--global", "--domains-global-vhosts").split()


def test_domains_help(dokku):
    """domains.bats: "(domains) domains:help"."""
    bare = dokku.run("domains")
    assert "Manage domains used by the proxy" in bare.output
    assert dokku.run("domains:help").output == bare.output


def test_domains_report_global_format_json(dokku):
    """domains.bats: "(domains:report) --global --format json"."""
    keys = json.loads(ok(dokku, "domains:report", "--global", "--format", "json"))
    assert [k for k in keys if not k.startswith("global-")] == []
    assert "global domains information" in ok(dokku, "domains:report", "--global")
    assert ok(dokku, "domains:report", "--global", "--domains-global-enabled") == "true\n"
    bad = dokku.run("domains:report", "--global", "--domains-invalid-flag")
    assert bad.status != 0 and "Invalid flag passed" in bad.output


def test_domains(dokku):
    """domains.bats: "(domains) domains"."""
    assert f"{APP}.{DOMAIN}" in ok(dokku, "domains:report", APP)


def test_domains_add(dokku):
    """domains.bats: "(domains) domains:add"."""
    for domain in (f"www.test.app.{DOMAIN}", f"2.app.{DOMAIN}", "a--domain.with--hyphens",
                   f".{DOMAIN}", "_"):
        assert ok(dokku, "domains:add", APP, domain).startswith(f"-----> Added {domain} to {APP}\n")
    assert vhosts(dokku) == [f"{APP}.{DOMAIN}", f"www.test.app.{DOMAIN}", f"2.app.{DOMAIN}",
                             "a--domain.with--hyphens", f".{DOMAIN}", "_"]


def test_domains_add_multiple(dokku):
    """domains.bats: "(domains) domains:add (multiple)"."""
    ok(dokku, "domains:add", APP, f"www.test.app.{DOMAIN}", f"2.app.{DOMAIN}", "a--domain.with--hyphens")
    assert vhosts(dokku)[1:] == [f"www.test.app.{DOMAIN}", f"2.app.{DOMAIN}", "a--domain.with--hyphens"]


def test_domains_add_duplicate(dokku):
    """domains.bats: "(domains) domains:add (duplicate)"."""
    ok(dokku, "domains:add", APP, f"test.app.{DOMAIN}")
    again = ok(dokku, "domains:add", APP, f"test.app.{DOMAIN}")
    assert again.startswith(f"-----> Skipping: test.app.{DOMAIN} already added to {APP}\n")
    assert vhosts(dokku) == [f"{APP}.{DOMAIN}", f"test.app.{DOMAIN}"]


def test_domains_add_invalid(dokku):
    """domains.bats: "(domains) domains:add (invalid)"."""
    refused = dokku.run("domains:add", APP, f"http://test.app.{DOMAIN}")
    assert (refused.status, refused.output) == (1, f" !     http://test.app.{DOMAIN} is invalid. exiting...\n")
    assert vhosts(dokku) == [f"{APP}.{DOMAIN}"]


def test_domains_remove(dokku):
    """domains.bats: "(domains) domains:remove"."""
    ok(dokku, "domains:add", APP, f"test.app.{DOMAIN}")
    ok(dokku, "domains:remove", APP, f"test.app.{DOMAIN}")
    assert vhosts(dokku) == [f"{APP}.{DOMAIN}"]


def test_domains_remove_multiple(dokku):
    """domains.bats: "(domains) domains:remove (multiple)"."""
    ok(dokku, "domains:add", APP, f"www.test.app.{DOMAIN}", f"test.app.{DOMAIN}", f"2.app.{DOMAIN}")
    ok(dokku, "domains:remove", APP, f"www.test.app.{DOMAIN}", f"test.app.{DOMAIN}")
    assert vhosts(dokku) == [f"{APP}.{DOMAIN}", f"2.app.{DOMAIN}"]


def test_domains_remove_wildcard_domain(dokku):
    """domains.bats: "(domains) domains:remove (wildcard domain)"."""
    ok(dokku, "domains:add", APP, f"*.{DOMAIN}")
    assert ok(dokku, "domains:report", APP, "--domains-app-vhosts") == f"{APP}.{DOMAIN} *.{DOMAIN}\n"
    ok(dokku, "domains:remove", APP, f"*.{DOMAIN}")
    assert ok(dokku, "domains:report", APP, "--domains-app-vhosts") == f"{APP}.{DOMAIN}\n"


def test_domains_set(dokku):
    """domains.bats: "(domains) domains:set"."""
    ok(dokku, "domains:add", APP, f"www.test.app.{DOMAIN}", f"test.app.{DOMAIN}")
    ok(dokku, "domains:set", APP, f"2.app.{DOMAIN}", "a--domain.with--hyphens")
    assert vhosts(dokku) == [f"2.app.{DOMAIN}", "a--domain.with--hyphens"]


def test_domains_reset(dokku):
    """domains.bats: "(domains) domains:reset"."""
    ok(dokku, "domains:add", APP, f"test.app.{DOMAIN}")
    ok(dokku, "domains:report", APP)
    ok(dokku, "domains:reset", APP)
    assert vhosts(dokku) == [f"{APP}.{DOMAIN}"]


def test_domains_add_global(dokku):
    """domains.bats: "(domains) domains:add-global"."""
    assert ok(dokku, "domains:add-global", f"global.{DOMAIN}") == f"-----> Added global.{DOMAIN}\n"
    ok(dokku, "domains:report", "--global")
    assert f"global.{DOMAIN}" in ok(dokku, "domains:report").split()


def test_domains_add_global_multiple(dokku):
    """domains.bats: "(domains) domains:add-global (multiple)"."""
    ok(dokku, "domains:add-global", f"global1.{DOMAIN}", f"global2.{DOMAIN}", f"global3.{DOMAIN}")
    words = ok(dokku, "domains:report").split()
    for n in (1, 2, 3):
        assert f"global{n}.{DOMAIN}" in words
    assert ok(dokku, "domains:add-global", f"global1.{DOMAIN}") == \
        f"-----> Skipping global1.{DOMAIN}: already added\n"


def test_domains_clear_global(dokku):
    """domains.bats: "(domains) domains:clear-global"."""
    ok(dokku, "domains:add-global", "global.dokku.invalid")
    ok(dokku, "domains:add-global", f"global.{DOMAIN}")
    cleared = ok(dokku, "domains:clear-global")
    assert cleared == "-----> Clearing global domains\n"
    assert global_vhosts(dokku) == []
    assert ok(dokku, "domains:report", "--global", "--domains-global-enabled") == "false\n"


def test_domains_remove_global(dokku):
    """domains.bats: "(domains) domains:remove-global"."""
    ok(dokku, "domains:add-global", f"global.{DOMAIN}")
    assert ok(dokku, "domains:remove-global", f"global.{DOMAIN}") == f"-----> Removed global.{DOMAIN}\n"
    assert f"global.{DOMAIN}" not in global_vhosts(dokku)


def test_domains_multiple_global_domains(dokku):
    """domains.bats: "(domains) domains (multiple global domains)"."""
    ok(dokku, "domains:add-global", f"global1.{DOMAIN}", f"global2.{DOMAIN}")
    ok(dokku, "--force", "apps:destroy", APP)
    ok(dokku, "apps:create", APP)
    assert {f"{APP}.global1.{DOMAIN}", f"{APP}.global2.{DOMAIN}"} <= set(vhosts(dokku))


def test_domains_set_global(dokku):
    """domains.bats: "(domains) domains:set-global"."""
    ok(dokku, "domains:add-global", f"global1.{DOMAIN}", f"global2.{DOMAIN}")
    ok(dokku, "domains:set-global", f"global3.{DOMAIN}", f"global4.{DOMAIN}")
    ok(dokku, "--force", "apps:destroy", APP)
    ok(dokku, "apps:create", APP)
    assert vhosts(dokku) == [f"{APP}.global3.{DOMAIN}", f"{APP}.global4.{DOMAIN}"]


def test_domains_app_name_overlaps_with_global_domain_tld(dokku):
    """domains.bats: "(domains) app name overlaps with global domain.tld".

    get_default_vhosts: an app name holding a dot is its own hostname.
    """
    ok(dokku, "domains:set-global", "dokku.test")
    ok(dokku, "--quiet", "apps:create", "test.dokku.test")
    ok(dokku, "--quiet", "domains:reset", "test.dokku.test")
    assert ok(dokku, "domains:report", "test.dokku.test", "--domains-app-vhosts") == "test.dokku.test\n"
    ok(dokku, "--force", "apps:destroy", "test.dokku.test")


@pytest.mark.parametrize("global_domains, domains, expected", [
    # "(domains) app rename only renames domains associated with global domains"
    ([DOMAIN], [f"{APP}.{DOMAIN}", f"{APP}.dokku.test"], f"other-name.{DOMAIN} {APP}.dokku.test"),
    # "(domains) app rename preserves all subdomains across multiple global vhosts"
    ([DOMAIN, "dokku.test"], [f"{APP}.{DOMAIN}", f"{APP}.dokku.test", "custom.example.com"],
     f"other-name.{DOMAIN} other-name.dokku.test custom.example.com"),
    # "(domains) app rename preserves custom domains when no global vhost is set"
    ([], ["custom.example.com", "other.example.org"], "custom.example.com other.example.org"),
])
def test_domains_app_rename(dokku, global_domains, domains, expected):
    """domains.bats: the three "(domains) app rename ..." cases."""
    if global_domains:
        ok(dokku, "domains:set-global", *global_domains)
    else:
        ok(dokku, "domains:clear-global")
    ok(dokku, "domains:set", APP, *domains)
    ok(dokku, "apps:rename", APP, "other-name")
    assert ok(dokku, "domains:report", "other-name", "--domains-app-vhosts") == expected + "\n"
    ok(dokku, "apps:rename", "other-name", APP)


# ------------------------------------------- plugins/domains beyond the bats cases


def test_domains_remove_is_a_sed_regex(dokku):
    """functions domains_remove: `sed -i "\\|^$DOMAIN\\$|d"`, so each dot matches any character."""
    ok(dokku, "domains:set", APP, "app.example.com", "app-example.com", "www.example.com")
    ok(dokku, "domains:remove", APP, "app.example.com")
    assert vhosts(dokku) == ["www.example.com"]


def test_domains_remove_validates_nothing(dokku):
    """functions domains_remove checks no hostname: an invalid one is "removed" and exits 0."""
    assert ok(dokku, "domains:remove", APP, "http://x") == f"-----> Removed http://x from {APP}\n"


def test_domains_rename_rewrites_subdomains_of_the_global_vhost(dokku):
    """post-app-rename-setup: `sed s/OLD\\.VHOST/NEW.VHOST/g` replaces inside longer names too."""
    ok(dokku, "domains:set", APP, f"www.{APP}.{DOMAIN}")
    ok(dokku, "apps:rename", APP, "other-name")
    assert vhosts(dokku, "other-name") == [f"www.other-name.{DOMAIN}"]


def test_domains_disable_deletes_the_domains_and_enable_restores_only_defaults(dokku):
    """functions disable_app_vhost removes the VHOST file; domains_enable writes the defaults."""
    ok(dokku, "domains:add", APP, "custom.example.com")
    assert ok(dokku, "domains:disable", APP) == "-----> App virtual host support disabled\n"
    assert vhosts(dokku) == []
    assert ok(dokku, "domains:disable", APP) == \
        f"-----> Domains (VHOST) support is already disabled for app ({APP})\n"
    ok(dokku, "domains:enable", APP)
    assert vhosts(dokku) == [f"{APP}.{DOMAIN}"]
    assert ok(dokku, "domains:enable", APP) == \
        f"-----> Domains (VHOST) support is already enabled for app ({APP})\n"


def test_domains_add_on_a_disabled_app_ends_with_the_defaults(dokku):
    """functions domains_add: after appending, a disabled app is enabled, which overwrites the file."""
    ok(dokku, "domains:disable", APP)
    ok(dokku, "domains:add", APP, "custom.example.com")
    assert vhosts(dokku) == [f"{APP}.{DOMAIN}"]
    assert ok(dokku, "domains:report", APP, "--domains-app-enabled") == "true\n"


def test_domains_keep_the_case_they_were_given(dokku):
    """is_valid_hostname lower-cases only for its check; domains_add stores the word as typed."""
    ok(dokku, "domains:add", APP, "WWW.Example.com")
    assert vhosts(dokku)[-1] == "WWW.Example.com"


def test_apps_clone_leaves_custom_domains_behind(dokku):
    """plugins/domains/post-app-clone-setup: the clone's VHOST file is removed and set up anew."""
    ok(dokku, "domains:add", APP, "custom.example.com")
    ok(dokku, "apps:clone", APP, "great-test-name")
    assert vhosts(dokku, "great-test-name") == [f"great-test-name.{DOMAIN}"]


def test_apps_create_without_a_global_vhost_disables_domains(dokku):
    """domains_setup: no global vhost means disable_app_vhost for the new app."""
    ok(dokku, "domains:clear-global")
    ok(dokku, "apps:create", "bare")
    assert ok(dokku, "domains:report", "bare", "--domains-app-enabled") == "false\n"
    assert vhosts(dokku, "bare") == []

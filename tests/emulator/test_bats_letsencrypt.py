"""dokku-letsencrypt's own tests (dokku/dokku-letsencrypt tests/*.bats) ported to the emulator.

The plugin's suite runs against Pebble; here the emulator's ACME model stands
in (every domain validates unless it ends in ``.invalid``). Where a test reads
files (cert paths, the autorenew flag, the `current` symlink) the port reads
the same fact back through the plugin's own commands or the emulator state.

Left out: letsencrypt_enable_dns01/_wildcard/_lego_args/_lego_docker_options,
_hooks, _install_perms, _shared_account, _cleanup, _revoke and _rate_limit
(they inspect lego's container, files and account storage, which the emulator
does not model), the `dokku report` sanitising tests (the core `report`
command is not emulated), "normalizes the per-app webroot perms" (file mode),
and the cron-entries trigger test (plugin triggers are not emulated).
"""

import json

import pytest

from docklight.emulator import state as store

APP = "letest-1"
DOMAIN = f"{APP}.dokku.test"


@pytest.fixture
def dokku(dokku):
    """A created app with one domain and the global e-mail the plugin's setup.sh sets."""
    dokku.create_app(APP, domains=[DOMAIN])
    assert dokku.run("letsencrypt:set", "--global", "email", "test@dokku.test").status == 0
    return dokku


def expiry(dokku):
    """Return the certificate's notAfter (the bats cert_not_after_epoch)."""
    return dokku.run("letsencrypt:report", APP, "--letsencrypt-expiration").output.strip()


# ---------------------------------------------------------------------- letsencrypt_report.bats


def test_report_renders_a_stdout_report_by_default(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report renders a stdout report by default"."""
    result = dokku.run("letsencrypt:report", APP)
    assert result.status == 0
    assert f"{APP} letsencrypt information" in result.output
    assert "Letsencrypt active" in result.output and "Letsencrypt computed email" in result.output


def test_report_format_json_returns_valid_json_for_an_app(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report --format json returns valid JSON for an app"."""
    dokku.run("letsencrypt:set", APP, "email", "app@dokku.test")
    result = dokku.run("letsencrypt:report", APP, "--format", "json")
    assert result.status == 0
    report = json.loads(result.output)
    assert report["email"] == "app@dokku.test" and report["computed-email"] == "app@dokku.test"


def test_report_format_json_without_an_app_emits_one_object_per_app(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report --format json without an app emits one object per app"."""
    dokku.create_app(APP, "other")
    result = dokku.run("letsencrypt:report", "--format", "json")
    assert result.status == 0
    assert [json.loads(line)["active"] for line in result.output.splitlines()] == ["false", "false"]


def test_report_global_prints_a_global_header(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report --global prints a global header"."""
    result = dokku.run("letsencrypt:report", "--global")
    assert result.status == 0
    assert "global letsencrypt information" in result.output and "Letsencrypt global email" in result.output


def test_report_global_format_json_returns_only_global_keys(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report --global --format json returns only global keys"."""
    dokku.run("letsencrypt:set", "--global", "graceperiod", "11111")
    result = dokku.run("letsencrypt:report", "--global", "--format", "json")
    assert result.status == 0
    report = json.loads(result.output)
    assert [k for k in report if not k.startswith("global-")] == []
    assert report["global-graceperiod"] == "11111"


def test_report_format_json_combined_with_an_info_flag_is_rejected(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report --format json combined with an info flag is rejected"."""
    result = dokku.run("letsencrypt:report", APP, "--format", "json", "--letsencrypt-email")
    assert result.status != 0
    assert "format flag cannot be specified when specifying an info flag" in result.output


def test_report_info_flag_still_returns_just_that_value(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report info flag still returns just that value"."""
    dokku.run("letsencrypt:set", APP, "graceperiod", "4242")
    result = dokku.run("letsencrypt:report", APP, "--letsencrypt-graceperiod")
    assert (result.status, result.output) == (0, "4242\n")


def test_report_includes_an_app_level_dns_provider_key_in_stdout(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report includes an app-level dns-provider-* key in stdout"."""
    dokku.run("letsencrypt:set", APP, "dns-provider-OVH_APPLICATION_KEY", "app-secret")
    result = dokku.run("letsencrypt:report", APP)
    assert result.status == 0
    assert "Letsencrypt dns provider OVH_APPLICATION_KEY" in result.output and "app-secret" in result.output
    assert "Letsencrypt global dns provider OVH_APPLICATION_KEY" not in result.output


def test_report_includes_a_global_dns_provider_key_in_stdout_for_an_app(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report includes a global dns-provider-* key in stdout for an app"."""
    dokku.run("letsencrypt:set", "--global", "dns-provider-NAMECHEAP_API_KEY", "global-secret")
    result = dokku.run("letsencrypt:report", APP)
    assert result.status == 0
    assert "Letsencrypt global dns provider NAMECHEAP_API_KEY" in result.output
    assert "Letsencrypt computed dns provider NAMECHEAP_API_KEY" in result.output
    assert "global-secret" in result.output
    assert not any(line.lstrip().startswith("Letsencrypt dns provider NAMECHEAP_API_KEY")
                   for line in result.lines)


def test_report_format_json_exposes_dns_provider_keys(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report --format json exposes dns-provider-* keys"."""
    dokku.run("letsencrypt:set", APP, "dns-provider-OVH_APPLICATION_KEY", "app-secret")
    report = json.loads(dokku.run("letsencrypt:report", APP, "--format", "json").output)
    assert report["dns-provider-OVH_APPLICATION_KEY"] == "app-secret"
    assert report["computed-dns-provider-OVH_APPLICATION_KEY"] == "app-secret"
    assert "global-dns-provider-OVH_APPLICATION_KEY" not in report


def test_report_info_flag_returns_a_dns_provider_value(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report info flag returns a dns-provider-* value"."""
    dokku.run("letsencrypt:set", APP, "dns-provider-OVH_APPLICATION_KEY", "app-secret")
    result = dokku.run("letsencrypt:report", APP, "--letsencrypt-dns-provider-OVH_APPLICATION_KEY")
    assert (result.status, result.output) == (0, "app-secret\n")


def test_report_computed_dns_provider_takes_app_value_over_global(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report computed dns-provider-* takes app value over global"."""
    dokku.run("letsencrypt:set", "--global", "dns-provider-OVH_APPLICATION_KEY", "global-secret")
    dokku.run("letsencrypt:set", APP, "dns-provider-OVH_APPLICATION_KEY", "app-secret")
    got = dokku.run("letsencrypt:report", APP, "--letsencrypt-computed-dns-provider-OVH_APPLICATION_KEY")
    assert (got.status, got.output) == (0, "app-secret\n")
    got = dokku.run("letsencrypt:report", APP, "--letsencrypt-global-dns-provider-OVH_APPLICATION_KEY")
    assert (got.status, got.output) == (0, "global-secret\n")


def test_report_global_includes_global_dns_provider_keys(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report --global includes global dns-provider-* keys"."""
    dokku.run("letsencrypt:set", "--global", "dns-provider-NAMECHEAP_API_KEY", "global-secret")
    result = dokku.run("letsencrypt:report", "--global")
    assert result.status == 0
    assert "Letsencrypt global dns provider NAMECHEAP_API_KEY" in result.output and "global-secret" in result.output


def test_report_global_format_json_includes_global_dns_provider_keys(dokku):
    """tests/letsencrypt_report.bats: "letsencrypt:report --global --format json includes global-dns-provider-* and excludes non-global"."""
    dokku.run("letsencrypt:set", "--global", "dns-provider-NAMECHEAP_API_KEY", "global-secret")
    report = json.loads(dokku.run("letsencrypt:report", "--global", "--format", "json").output)
    assert report["global-dns-provider-NAMECHEAP_API_KEY"] == "global-secret"
    assert [k for k in report if not k.startswith("global-")] == []


# ---------------------------------------------------------------------- letsencrypt_set.bats


def test_set_writes_app_level_property(dokku):
    """tests/letsencrypt_set.bats: "letsencrypt:set writes app-level property"."""
    assert dokku.run("letsencrypt:set", APP, "email", "app@dokku.test").status == 0
    got = dokku.run("letsencrypt:report", APP, "--letsencrypt-email")
    assert (got.status, got.output) == (0, "app@dokku.test\n")


def test_set_global_writes_global_property(dokku):
    """tests/letsencrypt_set.bats: "letsencrypt:set --global writes global property"."""
    assert dokku.run("letsencrypt:set", "--global", "graceperiod", "12345").status == 0
    got = dokku.run("letsencrypt:report", APP, "--letsencrypt-global-graceperiod")
    assert (got.status, got.output) == (0, "12345\n")


def test_app_level_property_overrides_global_in_computed_value(dokku):
    """tests/letsencrypt_set.bats: "app-level property overrides global in computed value"."""
    dokku.run("letsencrypt:set", "--global", "graceperiod", "100")
    dokku.run("letsencrypt:set", APP, "graceperiod", "200")
    assert dokku.run("letsencrypt:report", APP, "--letsencrypt-computed-graceperiod").output == "200\n"


def test_unsetting_an_app_property_falls_back_to_global(dokku):
    """tests/letsencrypt_set.bats: "unsetting an app property falls back to global"."""
    dokku.run("letsencrypt:set", "--global", "graceperiod", "100")
    dokku.run("letsencrypt:set", APP, "graceperiod", "200")
    dokku.run("letsencrypt:set", APP, "graceperiod", "")
    assert dokku.run("letsencrypt:report", APP, "--letsencrypt-computed-graceperiod").output == "100\n"


def test_set_rejects_unknown_keys(dokku):
    """tests/letsencrypt_set.bats: "letsencrypt:set rejects unknown keys"."""
    result = dokku.run("letsencrypt:set", APP, "notakey", "value")
    assert result.status != 0
    assert result.output == (" !     Invalid key specified, valid keys include: dns-provider, dns-provider-*, "
                             "email, graceperiod, server, lego-args, lego-docker-options\n")


def test_dns_provider_keys_are_accepted(dokku):
    """tests/letsencrypt_set.bats: "dns-provider-* keys are accepted"."""
    assert dokku.run("letsencrypt:set", APP, "dns-provider-EXEC_PATH", "/usr/local/bin/foo.sh").status == 0


def test_lego_docker_options_is_accepted(dokku):
    """tests/letsencrypt_set.bats: "lego-docker-options is accepted"."""
    assert dokku.run("letsencrypt:set", APP, "lego-docker-options", "-v /tmp/foo:/foo:ro").status == 0
    got = dokku.run("letsencrypt:report", APP, "--letsencrypt-lego-docker-options")
    assert (got.status, got.output) == (0, "-v /tmp/foo:/foo:ro\n")


def test_app_level_dns_provider_none_overrides_a_global_dns_provider(dokku):
    """tests/letsencrypt_set.bats: "app-level dns-provider 'none' overrides a global dns-provider"."""
    dokku.run("letsencrypt:set", "--global", "dns-provider", "exec")
    dokku.run("letsencrypt:set", APP, "dns-provider", "none")
    assert dokku.run("letsencrypt:report", APP, "--letsencrypt-computed-dns-provider").status != 0
    assert dokku.run("letsencrypt:report", APP, "--letsencrypt-dns-provider").output == "none\n"
    assert dokku.run("letsencrypt:report", APP, "--letsencrypt-global-dns-provider").output == "exec\n"


def test_global_dns_provider_none_is_treated_as_empty(dokku):
    """tests/letsencrypt_set.bats: "global dns-provider 'none' is treated as empty in computed value"."""
    dokku.run("letsencrypt:set", "--global", "dns-provider", "none")
    result = dokku.run("letsencrypt:report", APP, "--letsencrypt-computed-dns-provider")
    assert (result.status, result.output) == (1, " !     not deployed\n")


def test_app_level_dns_provider_override_works_for_a_real_provider(dokku):
    """tests/letsencrypt_set.bats: "app-level dns-provider override still works for a real provider"."""
    dokku.run("letsencrypt:set", "--global", "dns-provider", "exec")
    dokku.run("letsencrypt:set", APP, "dns-provider", "route53")
    assert dokku.run("letsencrypt:report", APP, "--letsencrypt-computed-dns-provider").output == "route53\n"


def test_report_shows_expected_fields_when_nothing_is_set(dokku):
    """tests/letsencrypt_set.bats: "letsencrypt:report shows expected fields when nothing is set"."""
    result = dokku.run("letsencrypt:report", APP)
    assert result.status == 0
    for label in ("Letsencrypt active", "Letsencrypt computed email", "Letsencrypt computed server",
                  "Letsencrypt computed graceperiod"):
        assert label in result.output


# ---------------------------------------------------------------------- list, cron-job, active, disable


def test_list_lists_enrolled_apps_with_expiry_columns(dokku):
    """tests/letsencrypt_list.bats: "letsencrypt:list lists enrolled apps with expiry columns"."""
    assert dokku.run("letsencrypt:enable", APP).status == 0
    result = dokku.run("letsencrypt:list")
    assert result.status == 0
    for text in ("App name", "Certificate Expiry", "Time before expiry", "Time before renewal", APP):
        assert text in result.output


def test_list_omits_apps_without_an_active_cert(dokku):
    """tests/letsencrypt_list.bats: "letsencrypt:list omits apps without an active cert"."""
    result = dokku.run("letsencrypt:list")
    assert result.status == 0 and APP not in result.output


def test_cron_job_add_creates_the_autorenew_flag(dokku):
    """tests/letsencrypt_cron_job.bats: "cron-job --add creates the autorenew flag"."""
    assert dokku.run("letsencrypt:cron-job", "--add").status == 0
    assert dokku.run("letsencrypt:report", APP, "--letsencrypt-autorenew").output == "true\n"


def test_cron_job_remove_deletes_the_autorenew_flag(dokku):
    """tests/letsencrypt_cron_job.bats: "cron-job --remove deletes the autorenew flag"."""
    dokku.run("letsencrypt:cron-job", "--add")
    assert dokku.run("letsencrypt:cron-job", "--remove").status == 0
    assert dokku.run("letsencrypt:report", APP, "--letsencrypt-autorenew").output == "false\n"


def test_cron_job_without_flags_reports_disabled(dokku):
    """tests/letsencrypt_cron_job.bats: "cron-job without flags reports disabled when autorenew flag is absent"."""
    result = dokku.run("letsencrypt:cron-job")
    assert result.status == 0
    assert "Auto-renew cron job is not enabled" in result.output and "--add" in result.output


def test_cron_job_without_flags_reports_enabled(dokku):
    """tests/letsencrypt_cron_job.bats: "cron-job without flags reports enabled when autorenew flag is present"."""
    dokku.run("letsencrypt:cron-job", "--add")
    result = dokku.run("letsencrypt:cron-job")
    assert result.status == 0
    assert "Auto-renew cron job is enabled" in result.output and "not enabled" not in result.output
    assert "--remove" in result.output


def test_cron_job_rejects_an_unknown_flag(dokku):
    """tests/letsencrypt_cron_job.bats: "cron-job rejects an unknown flag"."""
    result = dokku.run("letsencrypt:cron-job", "--bogus")
    assert result.status != 0 and "Invalid flag" in result.output


def test_active_reports_false_before_enable(dokku):
    """tests/letsencrypt_active.bats: "letsencrypt:active reports false before enable"."""
    assert dokku.run("letsencrypt:active", APP).output == "false\n"


def test_active_reports_true_after_enable(dokku):
    """tests/letsencrypt_active.bats: "letsencrypt:active reports true after enable"."""
    dokku.run("letsencrypt:enable", APP)
    result = dokku.run("letsencrypt:active", APP)
    assert (result.status, result.output) == (0, "true\n")


def test_disable_removes_cert_files_and_the_letsencrypt_directory(dokku):
    """tests/letsencrypt_disable.bats: "letsencrypt:disable removes cert files and the letsencrypt directory"."""
    dokku.run("letsencrypt:enable", APP)
    assert dokku.run("certs:report", APP, "--ssl-enabled").output == "true\n"
    assert dokku.run("letsencrypt:disable", APP).status == 0
    assert dokku.run("certs:report", APP, "--ssl-enabled").output == "false\n"
    assert dokku.run("letsencrypt:active", APP).output == "false\n"


def test_disable_leaves_the_app_intact(dokku):
    """tests/letsencrypt_disable.bats: "letsencrypt:disable leaves the app intact"."""
    dokku.run("letsencrypt:enable", APP)
    dokku.run("letsencrypt:disable", APP)
    assert dokku.run("apps:exists", APP).status == 0


# ---------------------------------------------------------------------- auto-renew


def test_auto_renew_renews_when_graceperiod_exceeds_cert_lifetime(dokku):
    """tests/letsencrypt_auto_renew.bats: "auto-renew renews when graceperiod exceeds cert lifetime"."""
    dokku.run("letsencrypt:enable", APP)
    before = expiry(dokku)
    dokku.run("letsencrypt:set", "--global", "graceperiod", str(91 * 86400))  # past a 90-day cert
    result = dokku.run("letsencrypt:auto-renew", APP)
    assert result.status == 0 and f"Auto-renew {APP}..." in result.output
    assert int(expiry(dokku)) >= int(before)


def test_auto_renew_is_a_no_op_when_graceperiod_is_small(dokku):
    """tests/letsencrypt_auto_renew.bats: "auto-renew is a no-op when graceperiod is small"."""
    dokku.run("letsencrypt:enable", APP)
    before = expiry(dokku)
    dokku.run("letsencrypt:set", "--global", "graceperiod", "1")
    result = dokku.run("letsencrypt:auto-renew", APP)
    assert result.status == 0 and "still has" in result.output
    assert expiry(dokku) == before


def test_auto_renew_is_a_no_op_for_apps_without_letsencrypt(dokku):
    """tests/letsencrypt_auto_renew.bats: "auto-renew is a no-op for apps without letsencrypt enabled"."""
    result = dokku.run("letsencrypt:auto-renew", APP)
    assert result.status == 0 and "not enabled" in result.output


def test_batch_auto_renew_iterates_over_all_enrolled_apps(dokku):
    """tests/letsencrypt_auto_renew.bats: "batch auto-renew iterates over all enrolled apps"."""
    dokku.run("letsencrypt:enable", APP)
    dokku.run("letsencrypt:set", "--global", "graceperiod", str(91 * 86400))
    result = dokku.run("letsencrypt:auto-renew")
    assert result.status == 0
    assert "needs renewal" in result.output and "Finished auto-renewal" in result.output


# ---------------------------------------------------------------------- letsencrypt_enable_http01.bats


def test_enable_issues_a_cert_via_http01(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable issues a Pebble cert via HTTP-01"."""
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status == 0
    assert dokku.run("certs:report", APP, "--ssl-hostnames").output == f"{DOMAIN}\n"
    assert dokku.run("letsencrypt:active", APP).output == "true\n"
    report = dokku.run("certs:report", APP)
    assert report.status == 0 and "ssl" in report.output


def test_enable_fails_without_an_email(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable fails without an email"."""
    dokku.run("letsencrypt:set", "--global", "email", "")
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status != 0 and "e-mail" in result.output.lower()


def test_enable_fails_when_the_app_has_no_domains(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable fails when the app has no domains"."""
    dokku.run("domains:clear", APP)
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status != 0 and "no domains" in result.output.lower()


def test_enable_is_a_no_op_when_a_valid_cert_already_exists(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable is a no-op when a valid cert already exists"."""
    dokku.run("letsencrypt:set", APP, "graceperiod", "60")
    dokku.run("letsencrypt:enable", APP)
    before = expiry(dokku)
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status == 0 and "still valid" in result.output
    assert "Certificate retrieved successfully" not in result.output
    assert expiry(dokku) == before


def test_enable_force_reissues_even_when_a_valid_cert_exists(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable --force reissues even when a valid cert exists"."""
    dokku.run("letsencrypt:set", APP, "graceperiod", "60")
    dokku.run("letsencrypt:enable", APP)
    result = dokku.run("letsencrypt:enable", APP, "--force")
    assert result.status == 0 and "Certificate retrieved successfully" in result.output
    assert "still valid" not in result.output


def test_enable_skips_the_default_vhost_domain(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable skips the '_' default-vhost domain when other domains are present"."""
    dokku.run("domains:add", APP, "_")
    assert dokku.run("letsencrypt:enable", APP).status == 0
    assert dokku.run("certs:report", APP, "--ssl-hostnames").output == f"{DOMAIN}\n"


def test_enable_fails_when_the_default_vhost_is_the_only_domain(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable fails when '_' is the only domain"."""
    dokku.run("domains:clear", APP)
    dokku.run("domains:set", APP, "_")
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status != 0 and "no domains" in result.output.lower()


def test_enable_adds_http_80_when_only_a_non_80_mapping_exists(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable auto-injects http:80 when only a non-80 http mapping exists"."""
    dokku.run("ports:set", APP, "http:8080:8080")
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status == 0 and "Adding http:80:8080 port mapping" in result.output
    maps = dokku.state()["apps"][APP]["ports"]
    assert "http:80:8080" in maps and "http:8080:8080" in maps


def test_enable_does_not_re_add_http_80(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable does not re-add http:80 when it is already mapped"."""
    dokku.run("ports:set", APP, "http:80:5000")
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status == 0 and "Adding http:80" not in result.output
    maps = dokku.state()["apps"][APP]["ports"]
    assert [m for m in maps if m.startswith("http:80:")] == ["http:80:5000"]
    assert "https:443:5000" in maps  # certs:add's post-certs-update


def test_enable_fails_when_no_http_or_https_mapping_exists(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable fails with a helpful error when no http or https mapping exists"."""
    dokku.run("ports:set", APP, "tcp:2222:2222")
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status != 0
    assert "no http or https proxy port mapping" in result.output and "dokku ports:add" in result.output


def test_enable_reissues_when_a_new_domain_is_added(dokku):
    """tests/letsencrypt_enable_http01.bats: "letsencrypt:enable reissues when a new domain is added"."""
    dokku.run("letsencrypt:set", APP, "graceperiod", "60")
    dokku.run("letsencrypt:enable", APP)
    dokku.run("domains:add", APP, f"extra.{DOMAIN}")
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status == 0 and "Certificate retrieved successfully" in result.output
    assert dokku.run("certs:report", APP, "--ssl-hostnames").output == f"extra.{DOMAIN} {DOMAIN}\n"


# ---------------------------------------------------------------------- from the source


def test_enable_without_an_email_prints_the_plugins_three_warnings(dokku):
    """internal-functions fn-letsencrypt-enable: domains first, header, then fn-letsencrypt-check-email."""
    dokku.run("letsencrypt:set", "--global", "email", "")
    result = dokku.run("letsencrypt:enable", APP)
    assert (result.status, result.lines) == (1, [
        f"=====> Enabling letsencrypt for {APP}",
        " !     ERROR: Cannot request a certificate without an e-mail address!",
        " !       please provide your e-mail address using",
        f" !       dokku letsencrypt:set {APP} email <e-mail>"])
    dokku.run("domains:clear", APP)
    assert dokku.run("letsencrypt:enable", APP).lines == [f" !     No domains detected for {APP}"]


def test_letsencrypt_set_accepts_any_email_text(dokku):
    """command-functions cmd-letsencrypt-set: the e-mail value is stored unchecked."""
    assert dokku.run("letsencrypt:set", APP, "email", "not-an-address").status == 0
    assert dokku.run("letsencrypt:report", APP, "--letsencrypt-email").output == "not-an-address\n"


def test_enable_failure_disables_the_proxy_then_fails_with_legos_code(dokku):
    """internal-functions fn-letsencrypt-enable: proxy disabled even on failure, then warn + fail."""
    dokku.run("domains:set", APP, "nowhere.invalid")
    result = dokku.run("letsencrypt:enable", APP)
    assert result.status == 1
    assert result.lines[-4:] == ["-----> Certificate retrieval failed!", f"-----> Disabling ACME proxy for {APP}...",
                                 " !     Failed to setup letsencrypt",
                                 " !     Check log output for further information on failure"]
    assert dokku.run("letsencrypt:active", APP).output == "false\n"


def test_enable_all_stops_at_the_first_failure(dokku):
    """command-functions cmd-letsencrypt-enable: `--all` loops under `set -e`."""
    dokku.reset([store.make_app("a-app", deployed=False, domains=["a.invalid"]),
                 store.make_app("b-app", deployed=False, domains=["b.dokku.test"])])
    dokku.run("letsencrypt:set", "--global", "email", "test@dokku.test")
    assert dokku.run("letsencrypt:enable", "--all").status == 1
    assert dokku.run("letsencrypt:active", "b-app").output == "false\n"


def test_disable_succeeds_when_nothing_was_enabled(dokku):
    """command-functions cmd-letsencrypt-disable has no 'not enabled' check."""
    result = dokku.run("letsencrypt:disable", APP)
    assert (result.status, result.lines) == (0, [
        "-----> Disabling letsencrypt for app", f"       Removing letsencrypt files for {APP}",
        f"       Removing SSL endpoint from {APP}", "-----> Done"])


@pytest.mark.parametrize("version", ["0.23.1", "0.20.0"])
def test_report_before_0_24_takes_format_as_an_info_flag(dokku, version):
    """git history of dokku-letsencrypt: --format/--global arrived in 0.24.0 (commit 081b8e8)."""
    st = dokku.state()
    next(p for p in st["plugins"] if p["name"] == "letsencrypt")["version"] = version
    store.write_state(dokku.home, st)
    result = dokku.run("letsencrypt:report", APP, "--format", "json")
    assert result.status == 1
    assert result.output.startswith(" !     Invalid flag passed, valid flags: --letsencrypt-active ")
    assert "--letsencrypt-lego-docker-args" in result.output and "--letsencrypt-lego-args" not in result.output
    every = dokku.run("letsencrypt:report", "--format", "json")
    assert every.status == 0 and every.output.startswith(" !     Invalid flag passed")  # `| tee || true`
    assert "Letsencrypt lego docker args:" in dokku.run("letsencrypt:report", APP).output


def test_report_with_no_apps_fails(dokku):
    """command-functions cmd-letsencrypt-report: `INSTALLED_APPS=$(dokku_apps)` fails first."""
    dokku.reset([])
    result = dokku.run("letsencrypt:report", "--global")
    assert (result.status, result.output) == (1, " !     You haven't deployed any applications yet\n")

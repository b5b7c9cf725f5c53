"""Dokku's own unit tests (tests/unit/*.bats), ported to run against the emulator."""

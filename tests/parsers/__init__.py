"""Tests of docklight.dokku.parsers, one module per parsers module, on tests/transcripts."""

"""The only road to Dokku: command builders -> executor -> parsers."""

"""Shell syntax in a docker option that both Docklight and its emulator look for.

Dokku 0.38 splits an option with mvdan.cc/sh, which refuses an operator
outside quotes ("is not a valid word", plugins/docker-options/dockeroptions.go
SplitOptionString); before 0.38 bash ``eval`` runs it. The product refuses such
options before they reach an old Dokku (``docker_option_shell``), and the
emulator fails as Dokku does (``emulator/commands/docker_options``): both need
the same operator set and the same end of a ``$(...)``, ``${...}``, ``$NAME`` or
backtick expansion. Standard library only, because the emulator imports it
under a bare python3.
"""

from __future__ import annotations

OPERATORS = frozenset(";|&<>()")


def expansion_end(text: str, i: int) -> int:
    """Return the index just past the expansion starting at text[i] (its whole extent).

    text[i] is a backtick or a ``$``: ``$(`` and ``${`` run to their matching
    closer (nesting counted), ``$NAME`` to the end of the name, any other
    ``$x`` is two characters. An unclosed one runs to the end of text.
    """
    if text[i] == "`":
        j = i + 1
        while j < len(text) and text[j] != "`":
            j += 2 if text[j] == "\\" else 1
        return min(j + 1, len(text))
    opener = text[i + 1]
    if opener in "({":
        closer = ")" if opener == "(" else "}"
        depth, j = 0, i + 1
        while j < len(text):
            if text[j] == opener:
                depth += 1
            elif text[j] == closer:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return len(text)
    j = i + 2
    if text[i + 1].isalpha() or text[i + 1] == "_":
        while j < len(text) and (text[j].isalnum() or text[j] == "_"):
            j += 1
    return j

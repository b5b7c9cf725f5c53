"""Which characters of a docker option each Dokku release would evaluate, and why.

A docker option is shell text: Dokku splits it into words honouring quotes
and backslashes. What else it does with the text changed twice:

* before 0.38.0 the bash plugin stored the option as typed
  (plugins/docker-options/functions ``add_passed_docker_option``) and every
  build, deploy and run fed the stored lines to ``eval``
  (plugins/builder-dockerfile/builder-build ``eval set -- "$DOCKER_ARGS"``,
  plugins/scheduler-docker-local/bin/scheduler-deploy-process
  ``eval "ARG_ARRAY=($DOCKER_ARGS)"``): a ``$(...)`` or backtick ran on the
  host as the dokku user, and ``$VAR``, globs, braces and ``~`` expanded;
* 0.38.0 to 0.38.24 split it with mvdan.cc/sh ``shell.Fields`` and an
  environment in which every variable is empty
  (plugins/docker-options/dockeroptions.go ``SplitOptionString``): ``$VAR``
  was stored empty, ``{a,b}`` became two words, ``~`` expanded, and a
  ``$(...)`` or backtick was refused ("unexpected command substitution");
* 0.38.25 (dokku/dokku commit 1a376c362, "fix: prevent command injection via
  docker options eval") splits without expanding anything
  (``literalFields``): the option is stored and passed on verbatim.

In every 0.38 release the parser refuses an operator outside quotes
(``;``, ``|``, ``&``, ``<``, ``>``, ``(``, ``)``: "is not a valid word") and
reads an unquoted word that starts with ``#`` as a comment, dropping the rest;
before 0.38 ``eval`` runs an operator's other side as a command. Text in
single quotes is literal everywhere, so the messages say to quote it.
"""

from __future__ import annotations

from dataclasses import dataclass

from docklight.dokku.shell_syntax import OPERATORS, expansion_end

VERBATIM_SINCE = (0, 38, 25)
GO_SPLIT_SINCE = (0, 38, 0)
FIX_COMMIT = "1a376c362"

GLOBS = set("*?[")
_PARAMETER_START = set("{(_@*#?$!-") | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_DOUBLE_QUOTE_ESCAPES = set('$`"\\\n')


@dataclass(frozen=True)
class Found:
    """What the shell would act on in an option, outside single quotes."""

    expansions: tuple[str, ...] = ()  # $VAR, ${...}, $(...), backticks
    operators: tuple[str, ...] = ()
    braces: bool = False  # {a,b} or {1..3}
    tilde: bool = False  # a word starting with ~
    globs: tuple[str, ...] = ()
    comment: bool = False  # a word starting with #
    unclosed: bool = False


def scan(option: str) -> Found:
    """Return the characters of option a shell would act on (quotes and escapes honoured)."""
    expansions, operators, globs = [], [], []
    braces = tilde = comment = False
    state = "bare"
    brace_open: int | None = None  # index in `bare` text of an unquoted {
    brace_has_list = False
    i, n = 0, len(option)
    word_start = True
    while i < n:
        c = option[i]
        if state == "single":
            if c == "'":
                state = "bare"
            i += 1
            word_start = False
            continue
        if state == "double":
            if c == "\\" and i + 1 < n and option[i + 1] in _DOUBLE_QUOTE_ESCAPES:
                i += 2
                continue
            if c == '"':
                state = "bare"
            elif _starts_expansion(option, i):
                end = expansion_end(option, i)
                expansions.append(option[i:end])
                i = end
                continue
            i += 1
            continue
        # bare text
        if c in " \t":
            word_start = True
            i += 1
            continue
        if c == "\\":
            i += 2
            word_start = False
            continue
        if c == "'":
            state = "single"
        elif c == '"':
            state = "double"
        elif _starts_expansion(option, i):
            end = expansion_end(option, i)
            expansions.append(option[i:end])
            i = end
            word_start = False
            continue
        elif c in OPERATORS:
            operators.append(c)
        elif c in GLOBS:
            globs.append(c)
        elif c == "~" and word_start:
            tilde = True
        elif c == "#" and word_start:
            comment = True
        elif c == "{":
            brace_open, brace_has_list = i, False
        elif c == "," and brace_open is not None:
            brace_has_list = True
        elif c == "." and brace_open is not None and option[i:i + 2] == "..":
            brace_has_list = True
        elif c == "}" and brace_open is not None:
            braces = braces or brace_has_list
            brace_open = None
        word_start = False
        i += 1
    return Found(tuple(dict.fromkeys(expansions)), tuple(dict.fromkeys(operators)), braces,
                 tilde, tuple(dict.fromkeys(globs)), comment, state != "bare")


def _starts_expansion(text: str, i: int) -> bool:
    """Return whether text[i] opens a parameter expansion, a command substitution or backticks."""
    return text[i] == "`" or (text[i] == "$" and i + 1 < len(text)
                              and text[i + 1] in _PARAMETER_START)


def _listed(items) -> str:
    return ", ".join(f"'{item}'" for item in items)


def refusal(option: str, version: tuple[int, int, int]) -> str | None:
    """Return why Dokku of version would not store option as typed, or None when it would."""
    found = scan(option)
    if found.unclosed:
        return "Docker option has an unclosed quote."
    if found.comment:
        return ("A word starting with # is a comment to Dokku's shell-word split, which drops "
                "it and everything after it; put it in single quotes.")
    if version < GO_SPLIT_SINCE:
        acted = [*found.expansions, *found.operators, *found.globs]
        if found.braces:
            acted.append("{a,b}")
        if found.tilde:
            acted.append("~")
        if not acted:
            return None
        return (f"Dokku {_dotted(version)} runs docker options through bash eval on every build, "
                "deploy and run (plugins/builder-dockerfile/builder-build "
                "`eval set -- \"$DOCKER_ARGS\"`, plugins/scheduler-docker-local "
                "`eval \"ARG_ARRAY=($DOCKER_ARGS)\"`), so " + _listed(acted)
                + " would be run or expanded on the host. Put that part in single quotes, or "
                f"upgrade: Dokku 0.38.25 passes options on verbatim (commit {FIX_COMMIT}).")
    if found.operators:
        return ("Dokku splits a docker option into shell words and refuses "
                + _listed(found.operators) + " outside quotes (\"is not a valid word\", "
                "plugins/docker-options/dockeroptions.go SplitOptionString); put that part in "
                "single quotes.")
    if version >= VERBATIM_SINCE:
        return None
    acted = list(found.expansions)
    if found.braces:
        acted.append("{a,b}")
    if found.tilde:
        acted.append("~")
    if not acted:
        return None
    return (f"Dokku {_dotted(version)} expands a docker option when it stores it: "
            "SplitOptionString (plugins/docker-options/dockeroptions.go) runs "
            "shell.Fields(input, func(string) string { return \"\" }), so " + _listed(acted)
            + " would not be stored as typed ($VAR and ${VAR} become empty, {a,b} two words, "
            "~ a home directory; $(...) and backticks are refused). Put that part in single "
            f"quotes, or upgrade: Dokku 0.38.25 stores options verbatim (commit {FIX_COMMIT}).")


def _dotted(version) -> str:
    return ".".join(str(part) for part in version)

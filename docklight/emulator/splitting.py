"""How a command line reaches Dokku: SSH_ORIGINAL_COMMAND re-splitting and global flags.

Dokku's ``dokku`` script re-splits ``SSH_ORIGINAL_COMMAND`` with ``xargs -n 1``
(default command ``/bin/echo``) and reads one argument per output line; see
section 0.1 of the CLI reference. The behaviour below was checked against GNU
xargs and coreutils 9.1.
"""

import re

XARGS_QUOTE_ERROR = ("xargs: unmatched {} quote; by default quotes are special to xargs "
                     "unless you use the -0 option")

# A short stand-in for `echo --help` / `echo --version`; every line becomes an argument.
ECHO_HELP = (
    "Usage: echo [SHORT-OPTION]... [STRING]...\n"
    "  or:  echo LONG-OPTION\n"
    "Echo the STRING(s) to standard output.\n"
    "\n"
    "  -n             do not output the trailing newline\n"
)
ECHO_VERSION = (
    "echo (GNU coreutils) 9.1\n"
    "Copyright (C) 2022 Free Software Foundation, Inc.\n"
    "\n"
    "Written by Brian Fox and Chet Ramey.\n"
)

_ECHO_OPTIONS = re.compile(r"-[neE]+")
_XARGS_BLANKS = " \t\n"  # GNU xargs splits on these only (not \r, \v, \f)


def xargs_words(text):
    """Split *text* like ``xargs`` reading it from a bash here-string.

    Return ``(words, error)``: *error* is the xargs message when a quote is left
    open (the words read before the broken one are still returned).
    """
    data = text + "\n"  # `<<<` appends a newline
    words, current, in_word, quote = [], [], False, None
    i = 0
    while i < len(data):
        c = data[i]
        if quote:
            if c == quote:
                quote = None
            elif c == "\n":
                break  # quoted strings may not span lines
            else:
                current.append(c)  # backslash is literal inside quotes
        elif c in _XARGS_BLANKS:
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        elif c == "\\":
            in_word = True
            if i + 1 < len(data):
                i += 1
                current.append(data[i])
        elif c in "'\"":
            quote, in_word = c, True
        else:
            current.append(c)
            in_word = True
        i += 1
    if quote:
        kind = "double" if quote == '"' else "single"
        return words, XARGS_QUOTE_ERROR.format(kind)
    if in_word:  # the here-string's newline was escaped: the word ends at EOF
        words.append("".join(current))
    return words, None


def echo_output(word):
    """Return what ``/bin/echo WORD`` prints (coreutils, one argument)."""
    if word == "--help":
        return ECHO_HELP
    if word == "--version":
        return ECHO_VERSION
    if _ECHO_OPTIONS.fullmatch(word):
        return "" if "n" in word else "\n"  # the word is consumed as options
    return word + "\n"


# The dokku script's test, `[[ $1 =~ git-* ]] || [[ $1 =~ git:* ]]`: bash
# regexes (unanchored), so any first word holding "git" matches.
_SPLIT_BY_BASH = (re.compile(r"git-*"), re.compile(r"git:*"))
_IFS = re.compile(r"[ \t\n]+")


def shell_words(command):
    """Split *command* on IFS whitespace, as the forced command's unquoted expansion does."""
    return [w for w in _IFS.split(command) if w]


def is_split_by_bash(first_word):
    """Return whether the dokku script runs ``$0 $SSH_ORIGINAL_COMMAND`` for this first word."""
    return any(rule.search(first_word) for rule in _SPLIT_BY_BASH)


def split_ssh_original_command_ex(command):
    """Return ``(args, xargs_error_or_None)`` for an SSH_ORIGINAL_COMMAND value."""
    first = command.split(None, 1)[0] if command.split() else ""
    if is_split_by_bash(first):
        # `$0 $SSH_ORIGINAL_COMMAND` under `set -f`: IFS splitting only.
        return [w for w in re.split(r"[ \t\n]+", command) if w], None
    words, error = xargs_words(command)
    if error and not words:
        return [], error  # xargs stops before running echo at all
    if not words:
        words = None  # xargs still runs `echo` once without arguments
    output = "".join(echo_output(w) for w in words) if words is not None else "\n"
    args = output.split("\n")
    if args and args[-1] == "":
        args.pop()  # mapfile: the final newline does not start another line
    return args, error


def split_ssh_original_command(command: str) -> list[str]:
    """Split *command* into Dokku's argv exactly like the ``dokku`` script does."""
    return split_ssh_original_command_ex(command)[0]


class GlobalOptions:
    """Global flags recognised anywhere on the command line (reference 0.2)."""

    def __init__(self):
        self.quiet = False
        self.trace = False
        self.force = False
        self.app = None
        self.leading = []  # the `--…` words removed in front of the subcommand


def parse_global_flags(args, inherited=None):
    """Return ``(GlobalOptions, args)`` after Dokku's parse_args and leading-flag removal.

    *inherited* holds what the first ``dokku`` run exported from its own
    parse_args over the shell-split words (:func:`outer_global_flags`): the
    re-executed ``dokku`` keeps DOKKU_QUIET_OUTPUT, DOKKU_TRACE,
    DOKKU_APPS_FORCE_DELETE and DOKKU_APP_NAME unless it sets them again.
    """
    opts = GlobalOptions()
    if inherited is not None:
        opts.quiet, opts.trace, opts.force = inherited.quiet, inherited.trace, inherited.force
        opts.app = inherited.app
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--quiet":
            opts.quiet = True
        elif word == "--trace":
            opts.trace = True
        elif word == "--force":
            opts.force = True
        elif word == "--app" and i + 1 < len(args):
            opts.app = args[i + 1]
            i += 1
        i += 1
    rest = list(args)
    app_leading = False
    while rest and rest[0].startswith("--"):
        if rest[0] == "--app":
            app_leading = len(rest) > 1
            opts.leading.extend(rest[:2])
            rest = rest[2:]
        else:
            opts.leading.append(rest.pop(0))
    if app_leading and rest:
        rest = _insert_app(rest, opts.app)
    return opts, rest


def _insert_app(args, app):
    """Put the ``--app`` value right after the subcommand, like execute_dokku_cmd."""
    command, tail = args[0], args[1:]
    if command.startswith("config") and tail[:1] == ["--no-restart"]:
        return [command, "--no-restart", app] + tail[1:]
    return [command, app] + tail


def outer_global_flags(words):
    """Return what parse_args (plugins/common/functions) exports for the shell-split *words*.

    sshd runs the forced command ``dokku $SSH_ORIGINAL_COMMAND`` through a
    shell, so the first ``dokku`` run sees the command line split on
    whitespace with its quotes still in the words, and runs parse_args over
    all of them before it re-splits SSH_ORIGINAL_COMMAND itself: a standalone
    ``--force`` or ``--app NAME`` inside a quoted value is acted on.
    """
    opts = GlobalOptions()
    for i, word in enumerate(words):
        if word == "--quiet":
            opts.quiet = True
        elif word == "--trace":
            opts.trace = True
        elif word == "--force":
            opts.force = True
        elif word == "--app":
            opts.app = words[i + 1] if i + 1 < len(words) else ""
    return opts

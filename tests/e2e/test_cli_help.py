"""The CLI's help, its documentation and its exit codes agree.

Every command documented in docs/cli.md answers --help with exit 0, and
every long option its --help text lists is documented in docs/cli.md; the
top level lists every command.  Unknown commands, verbs and options exit 2.
"""

import os
import re

import pytest

from conftest import SOURCE_ROOT

DOC = open(os.path.join(SOURCE_ROOT, "docs", "cli.md"), encoding="utf-8").read()
DOC_COMMANDS = sorted(set(re.findall(r"^###? `certward (\w+) ([\w-]+)", DOC,
                                      re.M)))


def test_docs_name_commands():
    # the parser below must find the documented commands at all
    assert ("csr", "check") in DOC_COMMANDS
    assert len(DOC_COMMANDS) >= 4


@pytest.mark.parametrize("noun,verb", DOC_COMMANDS)
def test_documented_command_has_help(cw, noun, verb):
    r = cw(noun, verb, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage: certward %s %s" % (noun, verb))


@pytest.mark.parametrize("noun,verb", DOC_COMMANDS)
def test_help_options_are_documented(cw, noun, verb):
    r = cw(noun, verb, "--help")
    options = set(re.findall(r"(--[a-z][a-z-]+)", r.stdout)) - {"--help"}
    # the command's heading up to the next group of commands ("## ")
    m = re.search(r"^###? `certward %s %s\b" % (noun, verb), DOC, re.M)
    section = DOC[m.start():].split("\n## ", 1)[0]
    missing = sorted(o for o in options if o not in section)
    assert not missing, "options in --help but not in docs/cli.md: %s" % missing


def test_top_level_help_lists_every_command(cw):
    r = cw("--help")
    assert r.returncode == 0
    for noun, verb in DOC_COMMANDS:
        assert re.search(r"^\s+%s\s+%s\s" % (noun, verb), r.stdout, re.M), \
            "%s %s missing from certward --help" % (noun, verb)


def test_noun_help(cw):
    r = cw("csr", "--help")
    assert r.returncode == 0
    for verb in ("new", "check", "show"):
        assert verb in r.stdout


def test_version(cw):
    r = cw("--version")
    assert r.returncode == 0
    assert re.match(r"certward \d+\.\d+\.\d+ \(OpenSSL 3\.", r.stdout)


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    ["csr", "frobnicate"],
    ["csr", "check", "--no-such-option"],
    ["--no-such-global"],
    [],
    ["csr"],
    ["csr", "check"],
])
def test_usage_errors_exit_2(cw, args):
    r = cw(*args)
    assert r.returncode == 2, (args, r.returncode, r.stderr)
    assert r.stderr.strip(), "a usage error must say something on stderr"

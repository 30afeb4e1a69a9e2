"""`certward policy lint` (DESIGN 6: errors name file:line:column, unknown
keys are errors), and the CLI surface common to all commands (DESIGN 7:
--help, --version, exit 2 for usage errors)."""

import json
import os
import re

import pytest

from conftest import SOURCE_ROOT, describe

BASE = """\
version: 1
templates:
  - name: t
    description: a minimal template
    key:
      rsa: { min_bits: 3072, max_bits: 4096 }
      ec: { curves: [P-256, P-384] }
    signature_hashes: [sha256, sha384]
    subject:
      common_name: { required: false, in_san: true }
      other_fields: deny
    san:
      required: true
      max: 5
      wildcards: false
      dns: ["*.svc.example.internal", "www.example.com"]
      ip: ["10.0.0.0/8"]
    key_usage: [digitalSignature]
    extended_key_usage: [serverAuth]
    validity: { default: 30d, max: 90d }
    renew_at: 66%
    approval: { required: 0 }
    owner: { required: true, max_age: 180d }
    key_reuse: deny
"""


def replace(old, new, text=BASE):
    assert text.count(old) == 1, old
    return text.replace(old, new)


def position(text, needle):
    """1-based (line, column) of the first occurrence of needle."""
    i = text.index(needle)
    line = text.count("\n", 0, i) + 1
    col = i - (text.rfind("\n", 0, i) + 1) + 1
    return line, col


@pytest.fixture
def lint(cw, write):
    def run(text, name="policy.yaml", *extra):
        path = write(text, name)
        return path, cw("policy", "lint", path, *extra)
    return run


def error_marks(path, stderr):
    """[(line, col, message)] from FILE:LINE:COL: message lines."""
    pat = re.compile(r"^%s:(\d+):(\d+): (.+)$" % re.escape(path))
    out = []
    for line in stderr.splitlines():
        m = pat.match(line)
        if m:
            out.append((int(m.group(1)), int(m.group(2)), m.group(3)))
    return out


def assert_lint_error(lint, text, needle, exact_col=True, lines=None):
    """exit 2 with an error at the line (and column) of needle."""
    path, r = lint(text)
    assert r.returncode == 2, describe(r)
    marks = error_marks(path, r.stderr)
    assert marks, "no FILE:LINE:COL: lines\n%s" % describe(r)
    line, col = position(text, needle)
    want_lines = lines if lines is not None else [line]
    hits = [m for m in marks if m[0] in want_lines]
    assert hits, "no error on line(s) %s\n%s" % (want_lines, describe(r))
    if exact_col:
        assert any(m[1] == col for m in hits), \
            "no error at %d:%d\n%s" % (line, col, describe(r))
    return marks


# ---- good policies ----------------------------------------------------------

# The shipped example loads and every template is summarised.
def test_lint_example(cw, example_policy):
    r = cw("policy", "lint", example_policy)
    assert r.returncode == 0, describe(r)
    for name in ("web-server", "workload-mtls", "code-signing"):
        assert name in r.stdout, describe(r)


def test_lint_example_json(cw, example_policy):
    r = cw("policy", "lint", example_policy, "--json")
    assert r.returncode == 0, describe(r)
    obj = json.loads(r.stdout)
    flat = json.dumps(obj)
    for name in ("web-server", "workload-mtls", "code-signing"):
        assert name in flat


# The test's own base policy is valid (so the error cases below each break
# exactly one thing).
def test_lint_base_ok(lint):
    _, r = lint(BASE)
    assert r.returncode == 0, describe(r)


# Patterns, CIDRs, durations and hashes that are all legal.
def test_lint_accepts_legal_values(lint):
    text = replace('dns: ["*.svc.example.internal", "www.example.com"]',
                   'dns: ["**.apps.example.internal", "x.example.com"]')
    text = replace('ip: ["10.0.0.0/8"]',
                   'ip: ["10.0.0.0/8", "fd00::/8", "192.0.2.7"]\n'
                   '      uri: ["spiffe://example.internal/ns/*/sa/*"]\n'
                   '      email: ["*@example.com"]', text)
    text = replace("validity: { default: 30d, max: 90d }",
                   "validity: { default: 12h, max: 2160h }", text)
    _, r = lint(text)
    assert r.returncode == 0, describe(r)


# ---- bad policies: exit 2 with FILE:LINE:COL ------------------------------

# A typo in a key is an error at the key, never silently ignored.
def test_lint_typo_key(lint):
    text = replace("wildcards: false", "wildcard: false")
    assert_lint_error(lint, text, "wildcard:")


def test_lint_typo_top_level_key(lint):
    text = replace("version: 1\n", "version: 1\ntemplate_defaults: {}\n")
    assert_lint_error(lint, text, "template_defaults")


def test_lint_unknown_key_in_flow_mapping(lint):
    text = replace("rsa: { min_bits: 3072, max_bits: 4096 }",
                   "rsa: { min_bits: 3072, max_bitz: 4096 }")
    assert_lint_error(lint, text, "max_bitz")


def test_lint_min_bits_above_max_bits(lint):
    text = replace("rsa: { min_bits: 3072, max_bits: 4096 }",
                   "rsa:\n        min_bits: 4096\n        max_bits: 3072")
    a, _ = position(text, "rsa:")
    b, _ = position(text, "min_bits")
    c, _ = position(text, "max_bits")
    assert_lint_error(lint, text, "min_bits", exact_col=False,
                      lines=[a, b, c])


def test_lint_unknown_curve(lint):
    text = replace("curves: [P-256, P-384]", "curves: [P-256, P-999]")
    assert_lint_error(lint, text, "P-999")


def test_lint_wrong_type(lint):
    text = replace("max: 5", "max: five")
    assert_lint_error(lint, text, "five")


def test_lint_wrong_type_list_for_scalar(lint):
    text = replace("key_reuse: deny", "key_reuse: [deny]")
    assert_lint_error(lint, text, "[deny]", exact_col=False)


def test_lint_unknown_hash(lint):
    text = replace("signature_hashes: [sha256, sha384]",
                   "signature_hashes: [sha256, md5]")
    assert_lint_error(lint, text, "md5")


def test_lint_unknown_key_usage(lint):
    text = replace("key_usage: [digitalSignature]",
                   "key_usage: [digitalSig]")
    assert_lint_error(lint, text, "digitalSig]")


def test_lint_cidr_host_bits(lint):
    text = replace('ip: ["10.0.0.0/8"]', 'ip: ["10.1.0.0/8"]')
    assert_lint_error(lint, text, '"10.1.0.0/8"')


@pytest.mark.parametrize("pattern", ["foo.*.example.com", "*", "a..b.com",
                                     "www.example.com.", "***.example.com",
                                     "*foo.example.com"])
def test_lint_bad_dns_pattern(lint, pattern):
    text = replace('dns: ["*.svc.example.internal", "www.example.com"]',
                   'dns: ["www.example.com", "%s"]' % pattern)
    assert_lint_error(lint, text, '"%s"' % pattern)


def test_lint_renew_at_out_of_range(lint):
    text = replace("renew_at: 66%", "renew_at: 150%")
    assert_lint_error(lint, text, "150%")


def test_lint_default_validity_above_max(lint):
    text = replace("validity: { default: 30d, max: 90d }",
                   "validity:\n      default: 120d\n      max: 90d")
    a, _ = position(text, "validity:")
    b, _ = position(text, "default: 120d")
    c, _ = position(text, "max: 90d")
    assert_lint_error(lint, text, "default: 120d", exact_col=False,
                      lines=[a, b, c])


def test_lint_bad_duration(lint):
    text = replace("max: 90d", "max: 90 days")
    assert_lint_error(lint, text, "90 days")


def test_lint_unsupported_version(lint):
    text = replace("version: 1", "version: 2")
    assert_lint_error(lint, text, "2", exact_col=False)


def test_lint_duplicate_template_names(lint):
    second = BASE.split("templates:\n", 1)[1]
    text = BASE + second
    line2 = text.count("\n", 0, text.rindex("- name: t")) + 1
    assert_lint_error(lint, text, "- name: t", exact_col=False,
                      lines=[line2])


# A mapping key given twice: the second would silently replace the first.
def test_lint_duplicate_mapping_key(lint):
    text = replace("    key_reuse: deny\n",
                   "    key_reuse: deny\n    key_reuse: allow\n")
    line2, _ = position(text, "key_reuse: allow")
    assert_lint_error(lint, text, "key_reuse: allow", exact_col=False,
                      lines=[line2])


# Every error is reported, not only the first.
def test_lint_reports_all_errors(lint):
    text = replace("wildcards: false", "wildcard: false")
    text = replace("curves: [P-256, P-384]", "curves: [P-256, P-999]", text)
    text = replace("renew_at: 66%", "renew_at: 150%", text)
    path, r = lint(text)
    assert r.returncode == 2, describe(r)
    got = {m[0] for m in error_marks(path, r.stderr)}
    want = {position(text, n)[0] for n in ("wildcard:", "P-999", "150%")}
    assert want <= got, "want lines %s, got %s\n%s" % (sorted(want),
                                                       sorted(got),
                                                       describe(r))


def test_lint_yaml_syntax_error(lint):
    text = replace("signature_hashes: [sha256, sha384]",
                   "signature_hashes: [sha256, sha384")
    path, r = lint(text)
    assert r.returncode == 2, describe(r)
    assert error_marks(path, r.stderr), describe(r)


@pytest.mark.parametrize("text", ["", "just a string\n", "- a\n- b\n",
                                  "version: 1\ntemplates: 7\n"])
def test_lint_not_a_policy(lint, text):
    path, r = lint(text)
    assert r.returncode == 2, describe(r)
    assert path in r.stderr, describe(r)


# Hostile YAML: an alias expansion bomb, deep nesting, bytes that are not
# UTF-8.  Each is refused promptly (the fixture's timeout is the bound).
def test_lint_alias_bomb(lint):
    lines = ["version: 1", 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        lines.append("a%d: &a%d [%s]" % (i, i, ",".join(["*a%d" % (i - 1)]
                                                       * 9)))
    lines.append("templates: []")
    path, r = lint("\n".join(lines) + "\n")
    assert r.returncode == 2, describe(r)
    assert error_marks(path, r.stderr), describe(r)


def test_lint_deep_nesting(lint):
    path, r = lint("version: 1\ntemplates: " + "[" * 5000 + "]" * 5000
                   + "\n")
    assert r.returncode == 2, describe(r)
    assert error_marks(path, r.stderr), describe(r)


def test_lint_not_utf8(lint):
    path, r = lint(BASE.replace("name: t", "name: t\udcff").encode(
        "utf-8", "surrogateescape"))
    assert r.returncode == 2, describe(r)
    assert any(m[0] == 3 for m in error_marks(path, r.stderr)), describe(r)


def test_lint_nonexistent(cw, tmp_path):
    r = cw("policy", "lint", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2, describe(r)
    assert r.stderr.strip()


# ============================================================================
# CLI surface
# ============================================================================

@pytest.mark.parametrize("args", [
    ["--help"], ["csr", "--help"], ["csr", "check", "--help"],
    ["csr", "new", "--help"], ["csr", "show", "--help"],
    ["policy", "--help"], ["policy", "lint", "--help"],
])
def test_help(cw, args):
    r = cw(*args)
    assert r.returncode == 0, describe(r)
    assert r.stdout.strip(), describe(r)


def test_help_names_subcommands(cw):
    r = cw("csr", "--help")
    for verb in ("check", "new", "show"):
        assert verb in r.stdout, describe(r)


def test_version(cw):
    with open(os.path.join(SOURCE_ROOT, "meson.build")) as f:
        m = re.search(r"version\s*:\s*'([^']+)'", f.read())
    r = cw("--version")
    assert r.returncode == 0, describe(r)
    assert m and m.group(1) in r.stdout, describe(r)


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    ["csr", "frobnicate"],
    ["policy", "frobnicate"],
    ["csr", "check", "--bogus-option"],
    ["csr", "show", "--bogus-option", "x.csr"],
    ["policy", "lint", "--bogus-option", "x.yaml"],
    ["--bogus-option"],
    ["csr", "check", "x.csr"],                 # no --policy / --template
    ["csr", "check", "--policy"],              # option without its value
    ["csr", "show"],                           # no CSR
    ["policy", "lint"],                        # no FILE
])
def test_usage_errors(cw, args):
    r = cw(*args)
    assert r.returncode == 2, describe(r)
    assert r.stderr.strip(), describe(r)

"""Fixtures for the certward end-to-end suite.

The suite drives the real binary.  Meson passes CERTWARD_BIN (the built
executable) and CERTWARD_SOURCE_ROOT; run by hand, the binary defaults to
./build/certward under the source root.
"""

import json
import os
import subprocess

import pytest

import csrgen

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get("CERTWARD_SOURCE_ROOT") or \
    os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("CERTWARD_BIN") or \
    os.path.join(SOURCE_ROOT, "build", "certward")
EXAMPLE_POLICY = os.path.join(SOURCE_ROOT, "tests", "data", "policy",
                              "example.yaml")
TIMEOUT = 60


def _run(args, cwd, env=None, input_bytes=None, preexec_fn=None):
    full_env = dict(os.environ)
    full_env.setdefault("LC_ALL", "C.UTF-8")
    # never let a test touch a real data directory
    full_env["CERTWARD_DATA"] = os.path.join(cwd, "certward-data")
    if env:
        full_env.update(env)
    try:
        r = subprocess.run([BIN] + [str(a) for a in args], cwd=cwd,
                           env=full_env, input=input_bytes,
                           capture_output=True, timeout=TIMEOUT,
                           preexec_fn=preexec_fn)
    except subprocess.TimeoutExpired:
        pytest.fail("certward %s: no answer within %ds"
                    % (" ".join(map(str, args)), TIMEOUT))
    # under -Db_sanitize a memory error may still exit 1, which a reject
    # test would take for a verdict: look for the report itself
    if b"Sanitizer" in r.stderr or b"runtime error:" in r.stderr:
        pytest.fail("sanitizer report from certward %s\n%s"
                    % (" ".join(map(str, args)),
                       r.stderr.decode("utf-8", "backslashreplace")))
    out = subprocess.CompletedProcess(
        r.args, r.returncode,
        r.stdout.decode("utf-8", "backslashreplace"),
        r.stderr.decode("utf-8", "backslashreplace"))
    out.stdout_bytes = r.stdout
    out.stderr_bytes = r.stderr
    return out


def describe(r):
    """One string with everything about a run, for assertion messages."""
    return "exit %s\n--- stdout\n%s--- stderr\n%s" % (r.returncode, r.stdout,
                                                       r.stderr)


@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    if not os.access(BIN, os.X_OK):
        pytest.fail("certward binary not found at %s (set CERTWARD_BIN)"
                    % BIN)


@pytest.fixture
def cw(tmp_path):
    """cw(*args, env=None, input_bytes=None, preexec_fn=None) runs the
    binary in a fresh directory and returns a CompletedProcess (text output;
    raw bytes in .stdout_bytes/.stderr_bytes)."""
    def run(*args, env=None, input_bytes=None, preexec_fn=None):
        return _run(args, str(tmp_path), env, input_bytes, preexec_fn)
    return run


@pytest.fixture(scope="session")
def example_policy():
    assert os.path.isfile(EXAMPLE_POLICY), EXAMPLE_POLICY
    return EXAMPLE_POLICY


@pytest.fixture(scope="session")
def keys(tmp_path_factory):
    return csrgen.Keys(str(tmp_path_factory.mktemp("keys")))


@pytest.fixture
def write(tmp_path):
    """write(data, name=None) writes a fresh file, returns its path."""
    counter = [0]

    def w(data, name=None):
        if name is None:
            counter[0] += 1
            name = "input-%d" % counter[0]
        p = tmp_path / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
        return str(p)
    return w


class Verdict:
    def __init__(self, proc, obj):
        self.proc = proc
        self.obj = obj
        self.rc = proc.returncode

    @property
    def rules(self):
        return [v["rule"] for v in self.obj["violations"]]

    def messages(self, rule):
        return [v["message"] for v in self.obj["violations"]
                if v["rule"] == rule]

    def __str__(self):
        return describe(self.proc)


@pytest.fixture
def check(cw, write, example_policy):
    """check(csr, template, policy=None, pem=True) runs `csr check --json` on
    csr (DER bytes, written as PEM unless pem=False; or a path) and returns a
    Verdict.  For exit 0 and 1 it checks the JSON shape and that the exit
    code agrees with `compliant`."""
    def run(csr, template, policy=None, pem=True):
        if isinstance(csr, bytes):
            path = write(csrgen.pem(csr) if pem else csr)
        else:
            path = csr
        r = cw("csr", "check", "--policy", policy or example_policy,
               "--template", template, path, "--json")
        obj = None
        if r.returncode in (0, 1):
            try:
                obj = json.loads(r.stdout)
            except ValueError as e:
                pytest.fail("stdout is not one JSON object (%s)\n%s"
                            % (e, describe(r)))
            assert isinstance(obj, dict), describe(r)
            assert set(obj) >= {"compliant", "template", "violations"}, \
                describe(r)
            assert obj["template"] == template, describe(r)
            assert isinstance(obj["violations"], list), describe(r)
            for v in obj["violations"]:
                assert isinstance(v.get("rule"), str) and v["rule"], \
                    describe(r)
                assert isinstance(v.get("message"), str) and v["message"], \
                    describe(r)
            assert obj["compliant"] is (r.returncode == 0), describe(r)
            assert (obj["violations"] == []) is (r.returncode == 0), \
                describe(r)
        return Verdict(r, obj)
    return run


@pytest.fixture
def accept(check):
    """accept(csr, template): the request must be compliant (exit 0, no
    violations)."""
    def run(csr, template, **kw):
        v = check(csr, template, **kw)
        assert v.rc == 0, "expected compliant\n%s" % v
        return v
    return run


@pytest.fixture
def reject(check):
    """reject(csr, template, *rules, exact=False): exit 1 and every listed
    rule id among the violations; exact=True: and no other rule id."""
    def run(csr, template, *rules, exact=False, **kw):
        v = check(csr, template, **kw)
        assert v.rc == 1, "expected non-compliant %s\n%s" % (rules, v)
        got = set(v.rules)
        missing = set(rules) - got
        assert not missing, "missing %s\n%s" % (sorted(missing), v)
        if exact:
            assert got == set(rules), \
                "unexpected extra rules %s\n%s" % (sorted(got - set(rules)),
                                                   v)
        return v
    return run


@pytest.fixture
def input_error(cw, write, example_policy):
    """input_error(data_or_path, template='web-server'): exit 2 and a
    message on stderr."""
    def run(data, template="web-server", is_path=False):
        path = data if is_path else write(data)
        r = cw("csr", "check", "--policy", example_policy,
               "--template", template, path, "--json")
        assert r.returncode == 2, "expected input error\n%s" % describe(r)
        assert r.stderr.strip(), "no message on stderr\n%s" % describe(r)
        return r
    return run


def pytest_configure(config):
    # SHA-1 requests are made on purpose (signature.hash tests)
    config.addinivalue_line(
        "filterwarnings",
        "ignore::cryptography.utils.CryptographyDeprecationWarning")


# --- governed issuance (issue 3) ---------------------------------------------

import cwdata  # noqa: E402  (beside csrgen; fixtures below use it)


@pytest.fixture
def data(tmp_path):
    """A data directory that is not initialised yet (cwdata.Data)."""
    return cwdata.Data(tmp_path)


@pytest.fixture
def ca(tmp_path, example_policy):
    """An initialised data directory (example policy, base URL
    cwdata.BASE_URL, admin = the OS user) with the cast of users (alice and
    eve requesters, bob and carol security officers, dave pki-admin, olive
    of team-web) and the services web and api (owners team-web, team-api)."""
    d = cwdata.Data(tmp_path)
    d.init("--policy", example_policy, "--base-url", cwdata.BASE_URL)
    d.people()
    d.service("web")
    d.service("api")
    return d

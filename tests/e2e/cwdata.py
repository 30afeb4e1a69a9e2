"""Helpers for the governed-issuance end-to-end tests (issue 3): one
initialised data directory driven through the real binary, fresh keys and
CSRs, and independent views of the result (python cryptography, openssl,
the SQLite file read directly).

Everything here talks to certward only through its command line, except
`Data.db_rows`, which reads the database read-only to cross-check what the
CLI says (the audit tamper tests write it with the sqlite3 tool instead).
"""

import datetime
import json
import os
import pwd
import re
import shutil
import sqlite3
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import csrgen

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get("CERTWARD_SOURCE_ROOT") or \
    os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("CERTWARD_BIN") or \
    os.path.join(SOURCE_ROOT, "build", "certward")
EXAMPLE_POLICY = os.path.join(SOURCE_ROOT, "tests", "data", "policy",
                              "example.yaml")
TIMEOUT = 60

WS = "web-server"
WL = "workload-mtls"
CS = "code-signing"
BASE_URL = "http://pki.example.test:8081"
DAY = 86400
STATES = {"issued", "pending", "held", "rejected"}
# the database may also hold a request between approval and issuance
DB_STATES = STATES | {"approved"}


def os_user():
    """The OS user name, as certward's default principal."""
    return pwd.getpwuid(os.geteuid()).pw_name


class Run:
    """One finished certward run: rc, stdout, stderr and the JSON."""

    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.stdout_bytes = proc.stdout
        self.stderr_bytes = proc.stderr
        self.stdout = proc.stdout.decode("utf-8", "backslashreplace")
        self.stderr = proc.stderr.decode("utf-8", "backslashreplace")

    @property
    def text(self):
        """stdout and stderr together, for message checks."""
        return self.stdout + self.stderr

    @property
    def json(self):
        try:
            return json.loads(self.stdout)
        except ValueError as e:
            pytest.fail("stdout is not JSON (%s)\n%s" % (e, self))

    def __str__(self):
        return "$ certward %s\nexit %s\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(self.args), self.rc, self.stdout, self.stderr)


def sanitizer_check(args, stderr):
    if b"Sanitizer" in stderr or b"runtime error:" in stderr:
        pytest.fail("sanitizer report from certward %s\n%s"
                    % (" ".join(args),
                       stderr.decode("utf-8", "backslashreplace")))


def run_bin(args, cwd, env=None, timeout=TIMEOUT):
    """Runs the binary with args (strings); returns a Run."""
    args = [str(a) for a in args]
    full_env = dict(os.environ)
    full_env.setdefault("LC_ALL", "C.UTF-8")
    full_env["CERTWARD_DATA"] = os.path.join(str(cwd), "no-such-data")
    if env:
        full_env.update(env)
    try:
        p = subprocess.run([BIN] + args, cwd=str(cwd), env=full_env,
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail("certward %s: no answer within %ds"
                    % (" ".join(args), timeout))
    sanitizer_check(args, p.stderr)
    return Run(args, p)


class Data:
    """An (initialised or not) certward data directory under `root`.

    d(*args, as_=None, rc=None) runs `certward --data DIR args [--as U]`
    and, when rc is given, asserts the exit code.  d.json(...) adds --json
    and returns the parsed output.
    """

    def __init__(self, root, name="data"):
        self.root = str(root)
        self.dir = os.path.join(self.root, name)
        self._n = 0

    # --- running ------------------------------------------------------------

    def __call__(self, *args, as_=None, rc=None, env=None):
        full = ["--data", self.dir] + [str(a) for a in args]
        if as_ is not None:
            full += ["--as", as_]
        r = run_bin(full, self.root, env=env)
        if rc is not None:
            assert r.rc == rc, "expected exit %s\n%s" % (rc, r)
        return r

    def json(self, *args, as_=None, rc=0):
        r = self(*args, "--json", as_=as_, rc=rc)
        return r.json

    def fails(self, rc, *args, as_=None):
        """Runs and requires exit rc with a message somewhere."""
        r = self(*args, as_=as_, rc=rc)
        assert r.text.strip(), "no message\n%s" % r
        return r

    # --- paths --------------------------------------------------------------

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    @property
    def db(self):
        return self.path("certward.db")

    @property
    def root_crt(self):
        return self.path("ca", "root.crt")

    @property
    def issuing_crt(self):
        return self.path("ca", "issuing.crt")

    def issuing(self):
        return load_cert(self.issuing_crt)

    def file(self, name, data):
        """Writes data to a fresh file beside the data directory."""
        p = os.path.join(self.root, name)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return p

    def csr_file(self, csr_der, name=None):
        self._n += 1
        return self.file(name or "req-%d.csr" % self._n, csrgen.pem(csr_der))

    # --- set up --------------------------------------------------------------

    def init(self, *args):
        r = self("init", *args, rc=0)
        return r

    def people(self):
        """The cast of the lifecycle tests; init's admin is the OS user."""
        admin = os_user()
        for name, roles in (("alice", ["requester"]),
                            ("bob", ["security-officer"]),
                            ("carol", ["security-officer"]),
                            ("dave", ["pki-admin"]),
                            ("eve", ["requester"]),
                            ("olive", ["team-web"])):
            args = ["user", "add", name]
            for role in roles:
                args += ["--role", role]
            self(*args, as_=admin, rc=0)

    def service(self, name, owner=None, contact=None, as_="dave"):
        self("service", "add", name, "--owner", owner or "team-" + name,
             "--contact", contact or "%s-owners@example.test" % name,
             as_=as_, rc=0)

    # --- requests ------------------------------------------------------------

    def submit(self, csr, template=WS, service="web", as_="alice",
               rc=None, extra=()):
        """Submits one CSR (DER bytes or a path); returns the outcome
        object, after checking its shape and that the exit code agrees
        with the state."""
        path = self.csr_file(csr) if isinstance(csr, bytes) else csr
        r = self("request", "submit", "--template", template, "--service",
                 service, path, *extra, "--json", as_=as_)
        assert r.rc in (0, 1), "submit\n%s" % r
        o = r.json
        check_outcome(o, r)
        assert (r.rc == 1) == (o["state"] == "rejected"), str(r)
        if rc is not None:
            assert r.rc == rc, "expected exit %s\n%s" % (rc, r)
        o["_run"] = r
        return o

    def issue(self, csr, template=WS, service="web", as_="alice", extra=()):
        """Submits and requires an issued certificate; returns outcome."""
        o = self.submit(csr, template, service, as_, extra=extra)
        assert o["state"] == "issued", "expected issued\n%s" % o["_run"]
        return o

    def rejected(self, csr, *rules, template=WS, service="web", as_="alice",
                 extra=()):
        o = self.submit(csr, template, service, as_, rc=1, extra=extra)
        got = {v["rule"] for v in o["violations"]}
        assert set(rules) <= got, "expected rules %s\n%s" % (rules, o["_run"])
        assert "serial" not in o or not o["serial"], str(o["_run"])
        return o

    def request(self, rid):
        return self.json("request", "show", rid)

    def cert(self, serial):
        return self.json("cert", "show", serial)

    def cert_pem(self, serial, *extra):
        r = self("cert", "get", serial, *extra, rc=0)
        return r.stdout_bytes

    def cert_x509(self, serial):
        return x509.load_pem_x509_certificate(self.cert_pem(serial))

    def certs(self, *filters):
        return self.json("cert", "list", *filters)

    def serials(self, *filters):
        return {c["serial"] for c in self.certs(*filters)}

    # --- direct, read-only looks at the database -----------------------------

    def db_rows(self, query, params=()):
        """Rows (as dicts) of a read-only query on certward.db."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True,
                              timeout=30)
        try:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(query, params)]
        finally:
            con.close()

    def audit_count(self):
        return self.db_rows("SELECT count(*) AS n FROM audit")[0]["n"]

    def request_count(self):
        return self.db_rows("SELECT count(*) AS n FROM requests")[0]["n"]

    def events(self, action=None):
        rows = self.db_rows("SELECT seq, time, actor, origin, channel, "
                            "action, object, details FROM audit "
                            "ORDER BY seq")
        if action:
            rows = [r for r in rows if r["action"] == action]
        return rows

    def snapshot(self):
        """Every file's bytes under the data directory (WAL files left
        out: their content changes with checkpointing, not with state)."""
        out = {}
        for dirpath, _, files in os.walk(self.dir):
            for f in files:
                p = os.path.join(dirpath, f)
                if f.endswith(("-wal", "-shm")):
                    continue
                with open(p, "rb") as fh:
                    out[os.path.relpath(p, self.dir)] = fh.read()
        return out

    def state_summary(self):
        """What a failed command must leave untouched."""
        return (self.audit_count(), self.request_count(),
                self.db_rows("SELECT count(*) AS n FROM certificates")[0]
                ["n"],
                self.db_rows("SELECT count(*) AS n FROM exceptions")[0]["n"])

    def copy(self, name):
        """A copy of the whole data directory (the database checkpointed
        into the main file first so the copy is self-contained)."""
        con = sqlite3.connect(self.db, timeout=30)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
        other = Data(self.root, name)
        shutil.copytree(self.dir, other.dir)
        return other


def check_outcome(o, r):
    """The shape of a submit/approve outcome (contract issue 3)."""
    assert isinstance(o, dict), str(r)
    assert isinstance(o.get("id"), int) and o["id"] > 0, str(r)
    assert o.get("state") in STATES, str(r)
    assert isinstance(o.get("violations"), list), str(r)
    for v in o["violations"]:
        assert isinstance(v.get("rule"), str) and v["rule"], str(r)
        assert isinstance(v.get("message"), str) and v["message"], str(r)
    if o["state"] == "issued":
        assert re.fullmatch(r"[0-9a-f]+", o.get("serial") or ""), \
            "issued without a lower-case hex serial\n%s" % r
        assert o["violations"] == [], str(r)
    else:
        assert not o.get("serial"), "serial on a %s request\n%s" % (
            o["state"], r)
    if o["state"] == "rejected":
        assert o["violations"] or o.get("reason"), str(r)


# --- keys and requests -------------------------------------------------------

def ec_key(curve="P-256"):
    return ec.generate_private_key(csrgen.CURVES[curve]())


def web_csr(key=None, dns=("www.example.com",), cn=None, **kw):
    """A compliant web-server request (fresh P-256 key by default)."""
    return csrgen.crypto_csr(key or ec_key(), cn=cn, dns=dns, **kw)


def codesign_csr(key=None, cn="Alpha Release Signing"):
    """A compliant code-signing request (P-384, SHA-384)."""
    return csrgen.crypto_csr(key or ec_key("P-384"), cn=cn, o="Example Corp",
                             hash_name="sha384")


def workload_csr(key=None, uri="spiffe://example.internal/ns/prod/sa/api"):
    return csrgen.crypto_csr(key or ec_key(), uris=(uri,))


def spki_sha256(key):
    h = hashes.Hash(hashes.SHA256())
    h.update(csrgen.spki_der(key))
    return h.finalize()


# --- certificates ------------------------------------------------------------

def load_cert(path):
    with open(path, "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


def pem_blocks(data):
    """The PEM blocks of data, each as bytes."""
    return re.findall(rb"-----BEGIN [A-Z0-9 ]+-----\r?\n.*?"
                      rb"-----END [A-Z0-9 ]+-----\r?\n?", data, re.S)


def serial_hex(cert):
    return format(cert.serial_number, "x")


def ext(cert, cls):
    return cert.extensions.get_extension_for_class(cls)


def not_before(cert):
    return cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)


def not_after(cert):
    return cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)


def parse_time(s):
    """An RFC 3339 string (Z or offset) as an aware datetime."""
    assert isinstance(s, str) and re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", s), \
        "not an RFC 3339 time: %r" % (s,)
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def openssl(*args, input_bytes=None):
    return subprocess.run(["openssl"] + [str(a) for a in args],
                          capture_output=True, input=input_bytes, timeout=60)


def make_ca_pair(days_root=3650, days_issuing=10):
    """A root and an issuing CA made by python cryptography, for
    `init --import-ca`: returns (root cert, issuing cert, issuing key)."""
    now = datetime.datetime.utcnow().replace(microsecond=0)
    rkey = ec_key()
    ikey = ec_key()
    rname = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                          "Imported Test Root")])
    iname = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                          "Imported Test Issuing CA")])
    rski = x509.SubjectKeyIdentifier.from_public_key(rkey.public_key())
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
        rski)
    root = (x509.CertificateBuilder()
            .subject_name(rname).issuer_name(rname)
            .public_key(rkey.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days_root))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                           critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False,
                                         True, True, False, False),
                           critical=True)
            .add_extension(rski, critical=False)
            .sign(rkey, hashes.SHA256()))
    issuing = (x509.CertificateBuilder()
               .subject_name(iname).issuer_name(rname)
               .public_key(ikey.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=days_issuing))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0),
                              critical=True)
               .add_extension(x509.KeyUsage(False, False, False, False,
                                            False, True, True, False, False),
                              critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                   ikey.public_key()), critical=False)
               .add_extension(aki, critical=False)
               .sign(rkey, hashes.SHA256()))
    return root, issuing, ikey


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def event_serials(events):
    """Serials named by cert.issue events (object cert:SERIAL)."""
    out = []
    for e in events:
        if e["action"] == "cert.issue":
            assert e["object"].startswith("cert:"), e
            out.append(e["object"][len("cert:"):])
    return out

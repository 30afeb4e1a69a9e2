"""`certward serve` (issue 4, first slice): the REST API over real HTTPS,
the public OCSP/CRL/CA endpoints over plain HTTP, central authentication
and roles, problem documents, graceful SIGTERM.

Each test gets a fresh data directory (the `ca` fixture of conftest.py)
and a server on free loopback ports; the server is stopped by PID with
SIGTERM at teardown and must exit 0.
"""

import base64
import json
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

import cwdata
from cwdata import BIN, CS, WS, codesign_csr, web_csr, openssl
import csrgen

START_TIMEOUT = 20
HTTP_TIMEOUT = 20


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)

    def problem(self, status):
        """Requires an RFC 9457 problem document with this status."""
        assert self.status == status, str(self)
        assert self.headers.get("Content-Type") == \
            "application/problem+json", str(self)
        p = self.json
        assert p["status"] == status and p["type"] and p["title"], str(self)
        return p

    def __str__(self):
        return "HTTP %s %s\n%r" % (self.status, dict(self.headers),
                                   self.body[:2000])


class Server:
    def __init__(self, d, workers=2):
        self.d = d
        self.port = free_port()
        self.pub_port = free_port()
        self.log_path = os.path.join(d.root, "serve.log")
        self.log = open(self.log_path, "wb")
        env = dict(os.environ, LC_ALL="C.UTF-8")
        self.proc = subprocess.Popen(
            [BIN, "--data", d.dir, "serve",
             "--listen", "127.0.0.1:%d" % self.port,
             "--public-listen", "127.0.0.1:%d" % self.pub_port,
             "--workers", str(workers)],
            stdout=subprocess.DEVNULL, stderr=self.log, env=env)
        self.ctx = ssl.create_default_context(cafile=d.root_crt)
        self.tokens = {}
        deadline = time.time() + START_TIMEOUT
        while True:
            try:
                if self.get("/healthz").status == 200:
                    break
            except (OSError, urllib.error.URLError):
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.proc.kill()
                pytest.fail("server did not start\n%s" % self.log_text())
            time.sleep(0.05)

    def log_text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "backslashreplace")

    @property
    def base(self):
        return "https://127.0.0.1:%d" % self.port

    @property
    def pub(self):
        return "http://127.0.0.1:%d" % self.pub_port

    def token(self, user):
        if user not in self.tokens:
            r = self.d("token", "create", "--user", user, as_="dave", rc=0)
            self.tokens[user] = r.stdout.strip()
        return self.tokens[user]

    def request(self, method, path, body=None, user=None, token=None,
                ctype=None, base=None, headers=None):
        url = (base or self.base) + path
        h = dict(headers or {})
        if user is not None:
            token = self.token(user)
        if token is not None:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
                h.setdefault("Content-Type", ctype or "application/json")
            else:
                data = body if isinstance(body, bytes) else body.encode()
                h.setdefault("Content-Type", ctype or "application/json")
        req = urllib.request.Request(url, data=data, method=method,
                                     headers=h)
        ctx = self.ctx if url.startswith("https") else None
        try:
            with urllib.request.urlopen(req, context=ctx,
                                        timeout=HTTP_TIMEOUT) as r:
                return Resp(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Resp(e.code, e.headers, e.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body if body is not None else {},
                            **kw)

    def submit(self, csr_der, template=WS, service="web", user="alice"):
        return self.post("/api/v1/requests", {
            "template": template, "service": service,
            "csr": csrgen.pem(csr_der).decode()}, user=user)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail("server did not stop on SIGTERM\n%s"
                        % self.log_text())
        self.log.close()
        return rc


@pytest.fixture
def srv(ca):
    s = Server(ca)
    yield s
    rc = s.stop()
    log = s.log_text()
    assert rc == 0, "exit %s\n%s" % (rc, log)
    # a sanitizer build reports leaks and undefined behaviour on stderr
    assert "Sanitizer" not in log and "runtime error:" not in log, log


def issue(srv, **kw):
    r = srv.submit(web_csr(**kw))
    assert r.status == 201, str(r)
    o = r.json
    assert o["state"] == "issued" and o["serial"], str(r)
    return o


# --- health, authentication, roles ------------------------------------------

def test_healthz_on_both_listeners(srv):
    # public, no token, over HTTPS and over the plain public listener
    for base in (srv.base, srv.pub):
        r = srv.get("/healthz", base=base)
        assert r.status == 200 and r.json == {"status": "ok"}, str(r)


def test_tls_certificate_is_self_issued(srv):
    # the HTTPS certificate chains to the data directory's root and names
    # 127.0.0.1 and localhost (checked by Python's hostname matching)
    ctx = ssl.create_default_context(cafile=srv.d.root_crt)
    for host in ("127.0.0.1", "localhost"):
        with socket.create_connection(("127.0.0.1", srv.port), 10) as s:
            with ctx.wrap_socket(s, server_hostname=host) as t:
                assert t.getpeercert()["subjectAltName"]


def test_no_token_is_401(srv):
    # no Authorization: 401 problem with WWW-Authenticate: Bearer
    r = srv.get("/api/v1/certificates")
    srv_p = r.problem(401)
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), str(r)
    assert srv_p["type"].endswith("unauthorized")


@pytest.mark.parametrize("token", ["cw_1_" + "A" * 43, "garbage",
                                   "cw_999_" + "B" * 43, "x" * 300])
def test_bad_token_is_401(srv, token):
    # unknown, malformed, overlong tokens: one 401 answer
    srv.token("alice")
    r = srv.get("/api/v1/certificates", token=token)
    r.problem(401)
    assert "Bearer" in r.headers.get("WWW-Authenticate", ""), str(r)


def test_valid_token_is_accepted(srv):
    # the accept case of the two above (the inventory holds only the
    # server's own certificate, service certward)
    r = srv.get("/api/v1/certificates", user="alice")
    assert r.status == 200, str(r)
    assert [c["service"] for c in r.json] == ["certward"], str(r)


def test_requester_cannot_revoke(srv):
    # revocation needs pki-admin: a requester gets 403 and nothing changes
    o = issue(srv)
    r = srv.post("/api/v1/certificates/%s/revoke" % o["serial"],
                 {"reason": "keyCompromise"}, user="alice")
    r.problem(403)
    c = srv.get("/api/v1/certificates/" + o["serial"], user="alice").json
    assert c["status"] == "valid"


def test_unknown_route_is_404_problem(srv):
    srv.get("/api/v1/nothing", user="alice").problem(404)
    srv.get("/api/v1/requests", base=srv.pub).problem(404)


def test_api_not_on_public_listener(srv):
    # the plain HTTP listener serves only the public PKI endpoints
    srv.get("/api/v1/templates", user="alice", base=srv.pub).problem(404)


def test_wrong_method_is_405(srv):
    srv.request("DELETE", "/healthz").problem(405)


# --- requests ------------------------------------------------------------------

def test_submit_compliant_is_issued(srv):
    # 201 {id, state issued, violations [], serial}, Location of the request
    r = srv.submit(web_csr())
    assert r.status == 201, str(r)
    o = r.json
    cwdata.check_outcome(o, r)
    assert o["state"] == "issued" and o["violations"] == []
    assert r.headers["Location"] == "/api/v1/requests/%d" % o["id"]
    got = srv.get("/api/v1/requests/%d" % o["id"], user="alice")
    assert got.status == 200, str(got)
    # the requester is the token's user, the channel "rest"
    assert "alice" in got.body.decode() and "rest" in got.body.decode()


def test_submit_noncompliant_is_problem_with_violations(srv):
    # a name outside the template: 422 problem carrying the verdict
    r = srv.submit(web_csr(dns=("www.attacker.test",)))
    p = r.problem(422)
    assert p["state"] == "rejected" and p["violations"], str(r)
    for v in p["violations"]:
        assert v["rule"] and v["message"]
    assert "serial" not in p


def test_submit_bad_csr_is_400(srv):
    r = srv.post("/api/v1/requests", {"template": WS, "service": "web",
                                      "csr": "not a csr"}, user="alice")
    r.problem(400)


def test_malformed_json_is_400(srv):
    r = srv.post("/api/v1/requests", '{"template": ', user="alice")
    p = r.problem(400)
    assert "JSON" in p["title"]


def test_unknown_member_is_400(srv):
    r = srv.post("/api/v1/requests", {"template": WS, "service": "web",
                                      "csr": "x", "admin": True},
                 user="alice")
    assert "admin" in r.problem(400)["detail"]


def test_oversized_body_is_413(srv):
    # over the 64 KiB body limit: refused before it is read
    big = json.dumps({"template": WS, "service": "web",
                      "csr": "A" * (70 * 1024)})
    r = srv.post("/api/v1/requests", big, user="alice")
    r.problem(413)


def test_far_oversized_body_is_refused(srv):
    # over 1 MiB declared: refused without reading (413 or a closed
    # connection, depending on how far the client got), never accepted
    try:
        r = srv.post("/api/v1/requests", b"x" * (2 * 1024 * 1024),
                     user="alice")
    except (OSError, urllib.error.URLError):
        return
    r.problem(413)


def test_body_at_limit_is_read(srv):
    # just under the limit the body is parsed (400 for its content, not 413)
    body = json.dumps({"template": WS, "service": "web",
                       "csr": "A" * (60 * 1024)})
    r = srv.post("/api/v1/requests", body, user="alice")
    r.problem(400)


def test_requester_reads_only_own_requests(srv):
    o = issue(srv)
    srv.get("/api/v1/requests/%d" % o["id"], user="eve").problem(403)
    assert srv.get("/api/v1/requests/%d" % o["id"],
                   user="bob").status == 200


def test_approval_flow_code_signing(srv):
    # two approvers, neither the requester; the requester is refused
    r = srv.submit(codesign_csr(), template=CS)
    assert r.status == 201, str(r)
    o = r.json
    assert o["state"] == "pending", str(r)
    path = "/api/v1/requests/%d" % o["id"]
    srv.post(path + "/approve", {"comment": "mine"}, user="alice") \
        .problem(403)
    r1 = srv.post(path + "/approve", {"comment": "ok"}, user="bob")
    assert r1.status == 200 and r1.json["state"] == "pending", str(r1)
    # the same person counts once
    srv.post(path + "/approve", {"comment": "again"}, user="bob").problem(403)
    r2 = srv.post(path + "/approve", {"comment": "ok"}, user="carol")
    assert r2.status == 200, str(r2)
    assert r2.json["state"] == "issued" and r2.json["serial"], str(r2)


def test_reject_needs_comment_and_role(srv):
    o = srv.submit(codesign_csr(), template=CS).json
    path = "/api/v1/requests/%d/reject" % o["id"]
    srv.post(path, {}, user="bob").problem(400)
    srv.post(path, {"comment": "no"}, user="eve").problem(403)
    r = srv.post(path, {"comment": "no"}, user="bob")
    assert r.status == 200 and r.json["state"] == "rejected", str(r)


# --- certificates -----------------------------------------------------------------

def test_certificates_list_get_pem(srv):
    a = issue(srv)
    b = issue(srv, dns=("api.svc.example.internal",))
    lst = srv.get("/api/v1/certificates?service=web&status=valid",
                  user="alice")
    assert lst.status == 200, str(lst)
    assert {c["serial"] for c in lst.json} >= {a["serial"], b["serial"]}
    assert srv.get("/api/v1/certificates?status=revoked",
                   user="alice").json == []
    assert len(srv.get("/api/v1/certificates?service=web&expiring=400d",
                       user="alice").json) == 2
    assert srv.get("/api/v1/certificates?expiring=1h",
                   user="alice").json == []
    srv.get("/api/v1/certificates?expiring=soon", user="alice").problem(400)
    srv.get("/api/v1/certificates?status=bogus", user="alice").problem(400)
    one = srv.get("/api/v1/certificates/" + a["serial"], user="alice")
    assert one.status == 200 and one.json["serial"] == a["serial"]
    pem = srv.get("/api/v1/certificates/%s/pem" % a["serial"], user="alice")
    assert pem.status == 200 and pem.body.startswith(b"-----BEGIN CERT")
    assert pem.body == srv.d.cert_pem(a["serial"])
    srv.get("/api/v1/certificates/abc123", user="alice").problem(404)
    srv.get("/api/v1/certificates/XYZ", user="alice").problem(404)


def test_templates(srv):
    r = srv.get("/api/v1/templates", user="alice")
    names = {t["name"] for t in r.json}
    assert {WS, CS} <= names
    cs = [t for t in r.json if t["name"] == CS][0]
    assert cs["approval"]["required"] == 2


# --- OCSP, CRL, CA --------------------------------------------------------------

def ocsp_cli(srv, leaf_path):
    p = subprocess.run(
        ["openssl", "ocsp", "-url", srv.pub + "/ocsp", "-issuer",
         srv.d.issuing_crt, "-CAfile", srv.d.root_crt, "-cert", leaf_path,
         "-timeout", "10"], capture_output=True, timeout=60)
    return p.returncode, (p.stdout + p.stderr).decode()


def test_ocsp_good_then_revoked(srv):
    o = issue(srv)
    leaf = srv.d.file("leaf.pem", srv.get(
        "/api/v1/certificates/%s/pem" % o["serial"], user="alice").body)
    rc, out = ocsp_cli(srv, leaf)
    assert rc == 0 and "Response verify OK" in out, out
    assert "%s: good" % leaf in out, out
    r = srv.post("/api/v1/certificates/%s/revoke" % o["serial"],
                 {"reason": "keyCompromise"}, user="dave")
    assert r.status == 200 and r.json["status"] == "revoked", str(r)
    rc, out = ocsp_cli(srv, leaf)
    assert rc == 0 and "%s: revoked" % leaf in out, out
    assert "Reason: keyCompromise" in out and "Revocation Time" in out, out
    # a second revocation is a conflict
    srv.post("/api/v1/certificates/%s/revoke" % o["serial"],
             {"reason": "keyCompromise"}, user="dave").problem(409)


def test_ocsp_get_and_unknown(srv):
    # RFC 6960 A.1 GET form; a serial not in the inventory is unknown
    o = issue(srv)
    leaf = srv.d.file("leaf.pem", srv.d.cert_pem(o["serial"]))
    req = os.path.join(srv.d.root, "req.der")
    p = openssl("ocsp", "-issuer", srv.d.issuing_crt, "-serial", "0x1234abcd",
                "-cert", leaf, "-no_nonce", "-reqout", req)
    assert p.returncode == 0, p.stderr
    text = base64.b64encode(open(req, "rb").read()).decode()
    r = srv.get("/ocsp/" + urllib.parse.quote(text, safe=""),
                base=srv.pub)
    assert r.status == 200, str(r)
    assert r.headers["Content-Type"] == "application/ocsp-response"
    resp = os.path.join(srv.d.root, "resp.der")
    open(resp, "wb").write(r.body)
    p = openssl("ocsp", "-respin", resp, "-issuer", srv.d.issuing_crt,
                "-CAfile", srv.d.root_crt, "-reqin", req, "-resp_text")
    out = (p.stdout + p.stderr).decode()
    assert "Response verify OK" in out, out
    assert "Cert Status: unknown" in out and "Cert Status: good" in out, out


def test_ocsp_malformed(srv):
    r = srv.post("/ocsp", b"\x30\x03\x02\x01\x00",
                 ctype="application/ocsp-request", base=srv.pub)
    # RFC 6960 4.2.1: OCSPResponse { responseStatus malformedRequest(1) }
    assert r.status == 200 and r.body == b"\x30\x03\x0a\x01\x01", str(r)


def test_crl_and_ca_download_verify(srv):
    o = issue(srv)
    leaf = srv.d.file("leaf.pem", srv.d.cert_pem(o["serial"]))
    ca = srv.get("/ca/issuing.crt", base=srv.pub)
    assert ca.status == 200
    assert ca.headers["Content-Type"] == "application/pkix-cert"
    pem_ca = openssl("x509", "-inform", "DER", input_bytes=ca.body).stdout
    assert pem_ca == open(srv.d.issuing_crt, "rb").read()

    def verify():
        crl = srv.get("/crl/issuing.crl", base=srv.pub)
        assert crl.status == 200, str(crl)
        assert crl.headers["Content-Type"] == "application/pkix-crl"
        crl_pem = openssl("crl", "-inform", "DER",
                          input_bytes=crl.body).stdout
        assert crl_pem.startswith(b"-----BEGIN X509 CRL"), crl_pem
        path = srv.d.file("crl.pem", crl_pem)
        p = openssl("verify", "-crl_check", "-CAfile", srv.d.root_crt,
                    "-untrusted", srv.d.issuing_crt, "-CRLfile", path, leaf)
        return p.returncode, (p.stdout + p.stderr).decode()

    rc, out = verify()
    assert rc == 0 and "OK" in out, out
    # a revocation (through any worker) makes the served CRL fresh
    r = srv.post("/api/v1/certificates/%s/revoke" % o["serial"],
                 {"reason": "superseded"}, user="dave")
    assert r.status == 200, str(r)
    for _ in range(4):  # every worker's cache, whichever answers
        rc, out = verify()
        assert rc != 0 and "revoked" in out, out


# --- logging and shutdown -----------------------------------------------------------

def test_log_lines_without_tokens(srv):
    tok = srv.token("alice")
    srv.get("/api/v1/certificates?status=valid", user="alice")
    srv.get("/api/v1/certificates", token="cw_1_" + "Z" * 43)
    lines = [json.loads(l) for l in srv.log_text().splitlines()
             if l.startswith('{"event":"request"')]
    assert any(l["path"] == "/api/v1/certificates" and l["status"] == 200
               and l["user"] == "alice" and isinstance(l["ms"], int)
               for l in lines), lines
    text = srv.log_text()
    # cw_<id>_<secret>; the base64url secret may itself contain "_"
    assert tok not in text and tok.split("_", 2)[2] not in text
    assert "Z" * 43 not in text and "status=valid" not in text


def test_sigterm_under_load_is_clean(ca):
    # SIGTERM while clients submit: exit 0; every 201 the clients saw is
    # in the inventory; the audit log verifies
    s = Server(ca, workers=2)
    s.token("alice")
    issued, errors = [], []
    stop = threading.Event()

    def client():
        while not stop.is_set():
            try:
                r = s.submit(web_csr())
            except OSError:
                return
            if r.status == 201:
                issued.append(r.json["serial"])
            else:
                errors.append(str(r))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    s.proc.send_signal(signal.SIGTERM)
    try:
        rc = s.proc.wait(timeout=40)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert rc == 0, s.log_text()
    assert issued, "no request got through\n%s" % s.log_text()
    assert not errors, errors[:3]
    have = ca.serials()
    assert set(issued) <= have
    r = ca("audit", "verify", rc=0)
    assert r.rc == 0

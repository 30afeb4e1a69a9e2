"""`certward serve`: signing in with a client certificate (mutual TLS,
DESIGN 7.1, docs/api.md "Authentication").

The HTTPS listener asks every client for a certificate and trusts only
certward's issuing CA.  A certificate signs in the requester of the request
it was issued for, when it names that user (subject commonName, rfc822Name,
or the last segment of a spiffe:// URI SAN), is in the inventory as valid
and has clientAuth; a token may be sent too and must then be the same
user's.  The client here is Python's ssl module with a certificate issued
through the certward CLI, a real TLS peer.
"""

import datetime
import http.client
import json
import os
import ssl
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import csrgen
import cwdata
from cwdata import WL, WS, ec_key, key_pem, web_csr, workload_csr
from test_serve import HTTP_TIMEOUT, Resp, Server

UC = "user-client"  # the test policy's CN-named, 6-second client template

# the example policy plus a template for client certificates that name
# their user in the commonName and live 6 seconds (the expiry test)
USER_CLIENT_TEMPLATE = """
  - name: user-client
    description: short-lived client certificates naming a user (test)
    key:
      ec: { curves: [P-256] }
    signature_hashes: [sha256]
    subject:
      common_name: { required: true }
      other_fields: deny
    san:
      required: false
      max: 0
    key_usage: [digitalSignature]
    extended_key_usage: [clientAuth]
    validity: { default: 6s, max: 6s }
    renew_at: 50%
    approval: { required: 0 }
    owner: { required: true, max_age: 90d }
    key_reuse: deny
"""


@pytest.fixture
def srv(tmp_path, example_policy):
    with open(example_policy) as f:
        policy = f.read().rstrip("\n") + "\n" + USER_CLIENT_TEMPLATE
    d = cwdata.Data(tmp_path)
    d.init("--policy", d.file("policy-mtls.yaml", policy), "--base-url",
           cwdata.BASE_URL)
    d.people()
    d.service("web")
    d.service("api")
    s = Server(d)
    yield s
    rc = s.stop()
    log = s.log_text()
    assert rc == 0, "exit %s\n%s" % (rc, log)
    assert "Sanitizer" not in log and "runtime error:" not in log, log


class Client:
    """A TLS client certificate and its key, as files."""

    def __init__(self, srv, cert_pem, key, serial=None):
        self.serial = serial
        self.cert_path = srv.d.file("client-%s.crt" % os.urandom(4).hex(),
                                    cert_pem)
        self.key_path = srv.d.file("client-%s.key" % os.urandom(4).hex(),
                                   key_pem(key))


def issue_client(srv, name, as_=None, template=WL, renew=None):
    """A client certificate issued through the CLI: requested by `as_`
    (default: name itself), naming `name` (in a SPIFFE URI for
    workload-mtls, in the commonName for user-client)."""
    key = ec_key()
    if template == WL:
        csr = workload_csr(key, "spiffe://example.internal/ns/prod/sa/" + name)
    elif template == UC:
        csr = csrgen.crypto_csr(key, cn=name)
    else:
        csr = web_csr(key)
    extra = ("--renew", renew) if renew else ()
    o = srv.d.issue(csr, template=template, service="api", as_=as_ or name,
                    extra=extra)
    return Client(srv, srv.d.cert_pem(o["serial"]), key, o["serial"])


def call(srv, method, path, client=None, token=None, user=None, body=None):
    """One request on a fresh TLS connection, with a client certificate
    and/or a token; returns a Resp."""
    ctx = ssl.create_default_context(cafile=srv.d.root_crt)
    if client is not None:
        ctx.load_cert_chain(client.cert_path, client.key_path)
    if user is not None:
        token = srv.token(user)
    h = {}
    if token is not None:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    c = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx,
                                    timeout=HTTP_TIMEOUT)
    try:
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        return Resp(r.status, r.headers, r.read())
    finally:
        c.close()


def whoami(srv, client=None, **kw):
    """The user the server sees: the actor of a request submitted by it."""
    r = call(srv, "POST", "/api/v1/requests", client=client, body={
        "template": WS, "service": "web",
        "csr": csrgen.pem(web_csr()).decode()}, **kw)
    assert r.status == 201, str(r)
    rid = r.json["id"]
    return srv.d.request(rid)["requester"]


def metrics(srv):
    r = call(srv, "GET", "/metrics")
    assert r.status == 200, str(r)
    return r.body.decode()


def auth_events(srv):
    return srv.d.json("audit", "log", "--object", "auth")


def refused(srv, client, *words, **kw):
    """The certificate signs nobody in: 401 naming the reason, audited as
    a failed sign-in."""
    before = len(auth_events(srv))
    r = call(srv, "GET", "/api/v1/templates", client=client, **kw)
    p = r.problem(401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer"), str(r)
    for w in words:
        assert w in p["detail"], p
    ev = auth_events(srv)
    assert len(ev) == before + 1, ev
    assert ev[-1]["action"] == "auth.fail" and \
        ev[-1]["actor"] == "anonymous", ev[-1]
    for w in words:
        assert w in ev[-1]["details"]["cause"], ev[-1]
    return p


# --- signing in --------------------------------------------------------------

def test_certificate_signs_in_its_user(srv):
    # a workload certificate alice asked for, naming her: she is signed in
    # without a token, as alice, and the audit says so
    alice = issue_client(srv, "alice")
    r = call(srv, "GET", "/api/v1/templates", client=alice)
    assert r.status == 200, str(r)
    assert whoami(srv, client=alice) == "alice"
    assert auth_events(srv) == []
    # the server's log line names the user, never the certificate
    assert '"user":"alice"' in srv.log_text()


def test_common_name_certificate(srv):
    # a CN-named client certificate (clientAuth only) signs in its user
    dave = issue_client(srv, "dave", template=UC)
    assert whoami(srv, client=dave) == "dave"


def test_roles_apply(srv):
    # a requester's certificate cannot revoke; a pki-admin's can, and
    # the revocation is audited with the certificate's user as actor
    target = srv.d.issue(web_csr())["serial"]
    alice = issue_client(srv, "alice")
    r = call(srv, "POST", "/api/v1/certificates/%s/revoke" % target,
             client=alice, body={"reason": "keyCompromise"})
    assert "pki-admin" in r.problem(403)["detail"]
    call(srv, "GET", "/api/v1/audit", client=alice).problem(403)
    dave = issue_client(srv, "dave")
    r = call(srv, "POST", "/api/v1/certificates/%s/revoke" % target,
             client=dave, body={"reason": "keyCompromise"})
    assert r.status == 200 and r.json["status"] == "revoked", str(r)
    ev = [e for e in srv.d.events("cert.revoke")
          if e["object"] == "cert:" + target]
    assert len(ev) == 1 and ev[0]["actor"] == "dave" and \
        ev[0]["channel"] == "rest", ev


def test_requester_cannot_approve_own_request_with_certificate(srv):
    # the requester never approves, whatever the credential
    r = srv.submit(cwdata.codesign_csr(), template=cwdata.CS, user="dave")
    assert r.status == 201 and r.json["state"] == "pending", str(r)
    dave = issue_client(srv, "dave")
    r = call(srv, "POST", "/api/v1/requests/%d/approve" % r.json["id"],
             client=dave, body={})
    r.problem(403)


def test_token_still_works_without_certificate(srv):
    # the server asks for a certificate but requires none
    r = call(srv, "GET", "/api/v1/templates", user="alice")
    assert r.status == 200, str(r)
    assert whoami(srv, user="eve") == "eve"
    # neither: 401 saying what to send; not a failed sign-in
    p = call(srv, "GET", "/api/v1/templates").problem(401)
    assert "client certificate" in p["detail"] and "Bearer" in p["detail"]
    assert auth_events(srv) == []


def test_public_routes_ignore_certificates(srv):
    # a refused certificate does not matter where nobody signs in
    alice = issue_client(srv, "alice")
    srv.d("cert", "revoke", alice.serial, "--reason", "keyCompromise",
          as_="dave", rc=0)
    r = call(srv, "GET", "/healthz", client=alice)
    assert r.status == 200, str(r)
    assert auth_events(srv) == []


# --- token and certificate together ------------------------------------------

def test_token_and_certificate_of_the_same_user(srv):
    alice = issue_client(srv, "alice")
    assert whoami(srv, client=alice, user="alice") == "alice"


def test_token_and_certificate_of_different_users_refused(srv):
    # alice's certificate with dave's token: neither wins
    alice = issue_client(srv, "alice")
    p = call(srv, "GET", "/api/v1/templates", client=alice,
             user="dave").problem(401)
    assert "different users" in p["detail"], p
    ev = auth_events(srv)
    assert len(ev) == 1 and "different users" in ev[0]["details"]["cause"]


def test_valid_certificate_with_invalid_token_refused(srv):
    alice = issue_client(srv, "alice")
    call(srv, "GET", "/api/v1/templates", client=alice,
         token="cw_1_" + "A" * 43).problem(401)
    assert len(auth_events(srv)) == 1


def test_invalid_certificate_with_valid_token_refused(srv):
    # a revoked certificate is not rescued by a good token
    alice = issue_client(srv, "alice")
    srv.d("cert", "revoke", alice.serial, "--reason", "keyCompromise",
          as_="dave", rc=0)
    refused(srv, alice, "revoked", user="alice")


# --- certificates that sign nobody in ----------------------------------------

def test_revoked_certificate(srv):
    alice = issue_client(srv, "alice")
    assert call(srv, "GET", "/api/v1/templates", client=alice).status == 200
    srv.d("cert", "revoke", alice.serial, "--reason", "keyCompromise",
          as_="dave", rc=0)
    refused(srv, alice, alice.serial, "revoked", "keyCompromise")


def test_expired_certificate(srv):
    # user-client certificates live 6 seconds
    dave = issue_client(srv, "dave", template=UC)
    assert call(srv, "GET", "/api/v1/templates", client=dave).status == 200
    with open(dave.cert_path, "rb") as f:
        end = cwdata.not_after(x509.load_pem_x509_certificate(f.read()))
    wait = (end - datetime.datetime.now(datetime.timezone.utc)) \
        .total_seconds() + 1.2
    time.sleep(max(wait, 0))
    refused(srv, dave, dave.serial, "expired")
    # /metrics counts it as expired (derived from notAfter, as listed)
    m = metrics(srv)
    assert 'certward_certificates{status="expired",template="user-client"} ' \
        '1\n' in m, m
    assert 'status="valid",template="user-client"' not in m, m


def test_removed_user(srv):
    # removing the user ends its certificates; adding the name again does
    # not revive them
    eve = issue_client(srv, "eve")
    assert whoami(srv, client=eve) == "eve"
    srv.d("user", "remove", "eve", as_="dave", rc=0)
    refused(srv, eve, "'eve'", "does not exist")
    time.sleep(1.1)
    srv.d("user", "add", "eve", "--role", "requester", as_="dave", rc=0)
    refused(srv, eve, "removed and added again")


def test_superseded_certificate(srv):
    # after a renewal only the new certificate signs in
    old = issue_client(srv, "alice")
    new = issue_client(srv, "alice", renew=old.serial)
    assert whoami(srv, client=new) == "alice"
    refused(srv, old, old.serial, "superseded", new.serial)
    m = metrics(srv)
    for status in ("superseded", "valid"):
        assert 'certward_certificates{status="%s",template="workload-mtls"}' \
            ' 1\n' % status in m, m


def test_certificate_naming_someone_else(srv):
    # alice may obtain a workload certificate naming "dave" (the policy
    # allows the name), but it signs nobody in: not her, not dave
    forged = issue_client(srv, "dave", as_="alice")
    refused(srv, forged, "does not name its requester 'alice'")


def test_certificate_without_client_auth(srv):
    # a web-server certificate (serverAuth only) is no client credential
    web = issue_client(srv, "alice", template=WS)
    refused(srv, web, "clientAuth")


def _foreign_client(srv, issuer_name=None, serial=None, cn="alice"):
    """A client certificate signed by a CA certward does not know, with
    clientAuth and the given issuer name and serial."""
    _, ca, ca_key = cwdata.make_ca_pair()
    key = ec_key()
    now = datetime.datetime.utcnow().replace(microsecond=0)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(
                NameOID.COMMON_NAME, cn)]))
            .issuer_name(issuer_name or ca.subject)
            .public_key(key.public_key())
            .serial_number(serial or x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([
                x509.UniformResourceIdentifier(
                    "spiffe://example.internal/ns/prod/sa/" + cn)]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    return Client(srv, cwdata.cert_pem(cert), key)


def test_certificate_of_another_ca(srv):
    # refused in the handshake or with 401; never signed in
    other = _foreign_client(srv)
    try:
        r = call(srv, "GET", "/api/v1/templates", client=other)
    except (ssl.SSLError, ConnectionError):
        return
    p = r.problem(401)
    assert "not issued by certward" in p["detail"], p


def test_forged_certificate_with_our_issuer_name_and_serial(srv):
    # another CA's certificate that copies our issuing CA's name and a
    # real certificate's serial and names: the signature gives it away
    alice = issue_client(srv, "alice")
    issuer = srv.d.issuing().subject
    forged = _foreign_client(srv, issuer_name=issuer,
                             serial=int(alice.serial, 16))
    try:
        r = call(srv, "GET", "/api/v1/templates", client=forged)
    except (ssl.SSLError, ConnectionError):
        return
    p = r.problem(401)
    assert "not issued by certward" in p["detail"], p
    assert auth_events(srv)[-1]["action"] == "auth.fail"


def test_failed_certificates_are_rate_limited(srv):
    # 20 failed sign-ins with a revoked certificate from one address, then
    # 429 for everyone there, tokens included, until the window ends
    alice = issue_client(srv, "alice")
    srv.d("cert", "revoke", alice.serial, "--reason", "superseded",
          as_="dave", rc=0)
    for _ in range(20):
        call(srv, "GET", "/api/v1/templates", client=alice).problem(401)
    r = call(srv, "GET", "/api/v1/templates", client=alice)
    r.problem(429)
    assert int(r.headers["Retry-After"]) > 0
    call(srv, "GET", "/api/v1/templates", user="dave").problem(429)
    ev = auth_events(srv)
    assert len(ev) == 20 and ev[-1]["details"]["limited"] is True, ev
    assert "certward_auth_failures_total 20\n" in metrics(srv)

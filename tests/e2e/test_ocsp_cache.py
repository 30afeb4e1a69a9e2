"""The OCSP responder's cache of signed responses (src/http/ocsp_cache.h,
routes_public.c): a request for one certificate without a nonce is
answered with the same signed response while it is fresh (RFC 5019,
RFC 6960 2.5), a revocation shows at once, a nonce always gets a response
of its own (RFC 6960 4.4.1), HTTP caches get max-age short of nextUpdate
(RFC 5019 6.2), and /metrics counts what the cache did.

`openssl ocsp` makes the requests and checks the responses; the fields
(producedAt, nonce, status) are read with python3-cryptography.  One
worker, so that every request meets the same cache.
"""

import base64
import datetime
import os
import time
import urllib.parse

import pytest
from cryptography import x509
from cryptography.x509 import ocsp

from cwdata import openssl
from test_api import metric, parse_metrics
from test_serve import Server, issue

CACHED = "max-age=3300, public, no-transform, must-revalidate"
VALIDITY = 3600  # routes_public.c OCSP_VALIDITY


@pytest.fixture
def srv(ca):
    s = Server(ca, workers=1)
    yield s
    rc = s.stop()
    log = s.log_text()
    assert rc == 0, "exit %s\n%s" % (rc, log)
    assert "Sanitizer" not in log and "runtime error:" not in log, log
    assert "without an OCSP response cache" not in log, log


def leaf_of(srv, o, name="leaf.pem"):
    return srv.d.file(name, srv.d.cert_pem(o["serial"]))


def make_request(srv, name, *certs, nonce=False, serials=()):
    """An OCSP request made by `openssl ocsp` (DER, and its path)."""
    path = os.path.join(srv.d.root, name)
    args = ["ocsp", "-issuer", srv.d.issuing_crt, "-reqout", path]
    for c in certs:
        args += ["-cert", c]
    for s in serials:
        args += ["-serial", s]
    args += [] if nonce else ["-no_nonce"]
    p = openssl(*args)
    assert p.returncode == 0, p.stderr
    with open(path, "rb") as f:
        return f.read(), path


def ask(srv, der, get=False):
    if get:
        text = base64.b64encode(der).decode()
        r = srv.get("/ocsp/" + urllib.parse.quote(text, safe=""),
                    base=srv.pub)
    else:
        r = srv.post("/ocsp", der, ctype="application/ocsp-request",
                     base=srv.pub)
    assert r.status == 200, str(r)
    assert r.headers["Content-Type"] == "application/ocsp-response", str(r)
    return r


def verify(srv, body, req_path, name="resp.der"):
    """`openssl ocsp` checks the response against the request (signature,
    CertID, and the nonce when the request had one); returns its text."""
    path = os.path.join(srv.d.root, name)
    with open(path, "wb") as f:
        f.write(body)
    p = openssl("ocsp", "-respin", path, "-reqin", req_path, "-issuer",
                srv.d.issuing_crt, "-CAfile", srv.d.root_crt, "-resp_text")
    out = (p.stdout + p.stderr).decode()
    assert p.returncode == 0 and "Response verify OK" in out, out
    assert "WARNING" not in out and "error" not in out.lower(), out
    return out


def parsed(body):
    r = ocsp.load_der_ocsp_response(body)
    assert r.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    return r


def utc(t):
    return t.replace(tzinfo=datetime.timezone.utc)


def scrape(srv):
    r = srv.get("/metrics")
    assert r.status == 200, str(r)
    s, types = parse_metrics(r.body.decode())
    assert types["certward_ocsp_cache_lookups_total"] == "counter"
    assert types["certward_ocsp_cache_evictions_total"] == "counter"
    return {k: metric(s, "certward_ocsp_cache_lookups_total", result=k)
            for k in ("hit", "miss", "stale", "expired")}


def test_same_signed_response_while_fresh(srv):
    a, b = leaf_of(srv, issue(srv), "a.pem"), leaf_of(srv, issue(srv), "b.pem")
    req, req_path = make_request(srv, "a.der", a)
    first = ask(srv, req)
    out = verify(srv, first.body, req_path)
    assert "Cert Status: good" in out, out
    # a re-signed response would differ (producedAt has 1 s resolution)
    time.sleep(1.1)
    second = ask(srv, req)
    assert second.body == first.body
    assert parsed(second.body).produced_at == parsed(first.body).produced_at
    # the GET form (RFC 6960 A.1) meets the same cache
    assert ask(srv, req, get=True).body == first.body
    # another certificate has a response of its own
    req_b, req_b_path = make_request(srv, "b.der", b)
    other = ask(srv, req_b)
    assert other.body != first.body
    assert "Cert Status: good" in verify(srv, other.body, req_b_path)
    m = scrape(srv)
    assert m["hit"] == 2 and m["miss"] == 2, m


def test_revocation_shows_at_once(srv):
    o = issue(srv)
    leaf = leaf_of(srv, o)
    req, req_path = make_request(srv, "req.der", leaf)
    good = ask(srv, req)
    assert ask(srv, req).body == good.body  # cached now
    assert "Cert Status: good" in verify(srv, good.body, req_path)
    # revoked by the CLI, another process: the worker learns it from the
    # store on the very next request
    srv.d("cert", "revoke", o["serial"], "--reason", "keyCompromise",
          as_="dave", rc=0)
    revoked = ask(srv, req)
    assert revoked.body != good.body
    out = verify(srv, revoked.body, req_path)
    assert "Cert Status: revoked" in out, out
    assert "Reason: keyCompromise" in out and "Revocation Time" in out, out
    single = parsed(revoked.body)
    assert single.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert single.revocation_reason == x509.ReasonFlags.key_compromise
    m = scrape(srv)
    assert m["stale"] == 1 and m["hit"] == 1, m


def test_revoked_stays_revoked_from_the_cache(srv):
    o = issue(srv)
    leaf = leaf_of(srv, o)
    srv.d("cert", "revoke", o["serial"], "--reason", "superseded",
          as_="dave", rc=0)
    req, req_path = make_request(srv, "req.der", leaf)
    first = ask(srv, req)
    time.sleep(1.1)
    again = ask(srv, req)
    assert again.body == first.body  # served from the cache
    out = verify(srv, again.body, req_path)
    assert "Cert Status: revoked" in out and "Reason: superseded" in out, out
    r = parsed(again.body)
    assert r.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert r.revocation_reason == x509.ReasonFlags.superseded
    assert again.headers["Cache-Control"] == CACHED, str(again)
    m = scrape(srv)
    assert m["hit"] == 1 and m["stale"] == 0, m


def test_nonce_gets_its_own_response(srv):
    leaf = leaf_of(srv, issue(srv))
    plain, _ = make_request(srv, "plain.der", leaf)
    cached = ask(srv, plain)
    ask(srv, plain)  # the cache holds this certificate's response now
    time.sleep(1.1)
    seen = set()
    for i in range(2):
        req, req_path = make_request(srv, "n%d.der" % i, leaf, nonce=True)
        r = ask(srv, req)
        assert r.headers["Cache-Control"] == "no-store", str(r)
        # -reqin: openssl ocsp requires the request's nonce in the response
        out = verify(srv, r.body, req_path, name="n%d-resp.der" % i)
        assert "Cert Status: good" in out, out
        want = ocsp.load_der_ocsp_request(req).extensions \
            .get_extension_for_class(x509.OCSPNonce).value.nonce
        got = parsed(r.body).extensions \
            .get_extension_for_class(x509.OCSPNonce).value.nonce
        assert got == want
        # signed for this request: newer than the cached response
        assert parsed(r.body).produced_at > parsed(cached.body).produced_at
        assert r.body != cached.body and r.body not in seen
        seen.add(r.body)
    # the nonce requests neither used nor displaced the cached response
    assert ask(srv, plain).body == cached.body
    m = scrape(srv)
    assert m["hit"] == 2 and m["miss"] == 1, m


def test_cache_control(srv):
    leaf = leaf_of(srv, issue(srv))
    req, _ = make_request(srv, "req.der", leaf)
    for _ in range(2):  # signed, then from the cache
        r = ask(srv, req)
        assert r.headers["Cache-Control"] == CACHED, str(r)
        # RFC 5019 6.2: an HTTP cache never keeps it past nextUpdate
        single = parsed(r.body)
        assert utc(single.next_update) - utc(single.this_update) == \
            datetime.timedelta(seconds=VALIDITY)
        now = datetime.datetime.now(datetime.timezone.utc)
        assert now + datetime.timedelta(seconds=3300) <= \
            utc(single.next_update)
    nreq, _ = make_request(srv, "nonce.der", leaf, nonce=True)
    assert ask(srv, nreq).headers["Cache-Control"] == "no-store"
    # error responses are not kept either
    r = srv.post("/ocsp", b"\x30\x03\x02\x01\x00",
                 ctype="application/ocsp-request", base=srv.pub)
    assert r.status == 200 and r.headers["Cache-Control"] == "no-store"


def test_unknown_and_multi_certid_are_signed_each_time(srv):
    # an unknown serial (the client picks it) and a request for two
    # certificates are never answered from the cache
    a, b = leaf_of(srv, issue(srv), "a.pem"), leaf_of(srv, issue(srv), "b.pem")
    unknown, unknown_path = make_request(srv, "u.der",
                                         serials=("0x1234abcd",))
    both, both_path = make_request(srv, "ab.der", a, b)
    first = [ask(srv, unknown), ask(srv, both)]
    time.sleep(1.1)
    again = [ask(srv, unknown), ask(srv, both)]
    for f, g in zip(first, again):
        assert parsed(g.body).produced_at > parsed(f.body).produced_at
        # without a nonce HTTP caches may still keep them
        assert g.headers["Cache-Control"] == CACHED, str(g)
    assert "Cert Status: unknown" in verify(srv, again[0].body, unknown_path)
    out = verify(srv, again[1].body, both_path)
    assert out.count("Cert Status: good") == 2, out
    m = scrape(srv)
    assert m == {"hit": 0, "miss": 0, "stale": 0, "expired": 0}, m

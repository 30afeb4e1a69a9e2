"""`certward serve`: the rest of the REST API of DESIGN 7.1 (request list,
certificate DER and chain, services, exceptions, audit, pagination), the
OpenAPI document, /metrics, and the audited, rate-limited sign-in
failures.

Every response these tests receive goes through `call`, which checks it
against the served OpenAPI document (route, method, status, content type,
and the JSON body against the documented schema, with the small validator
below): the conformance test is all of them together.  The server fixture
is the one of test_serve.py.
"""

import json
import os
import re
import sqlite3

import pytest

import csrgen
from cwdata import CS, WS, codesign_csr, web_csr, openssl
from test_serve import srv  # noqa: F401 (the fixture)

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get("CERTWARD_SOURCE_ROOT") or \
    os.path.dirname(os.path.dirname(HERE))
OPENAPI_PATH = os.path.join(SOURCE_ROOT, "src", "http", "openapi.json")

with open(OPENAPI_PATH, "rb") as _f:
    OPENAPI = json.loads(_f.read())


# --- a small OpenAPI 3.0 schema validator -------------------------------------

def _resolve(schema):
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), ref
        node = OPENAPI
        for part in ref[2:].split("/"):
            node = node[part]
        schema = node
    return schema


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float))
    and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def schema_errors(value, schema, where="$"):
    """The list of ways value does not match schema (empty: it does).
    Supports $ref, allOf, oneOf, nullable, type, enum, required,
    properties, additionalProperties: false, items, minimum, maximum,
    pattern."""
    schema = _resolve(schema)
    errs = []
    if value is None and schema.get("nullable"):
        return errs
    if "allOf" in schema:
        for sub in schema["allOf"]:
            errs += schema_errors(value, sub, where)
    if "oneOf" in schema:
        ok = [s for s in schema["oneOf"] if not schema_errors(value, s, where)]
        if len(ok) != 1:
            errs.append("%s: matches %d of oneOf" % (where, len(ok)))
    t = schema.get("type")
    if t is not None:
        if not _TYPES[t](value):
            return errs + ["%s: %r is not %s" % (where, value, t)]
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s: %r not in %r" % (where, value, schema["enum"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errs.append("%s: %r < minimum" % (where, value))
        if "maximum" in schema and value > schema["maximum"]:
            errs.append("%s: %r > maximum" % (where, value))
    if isinstance(value, str) and "pattern" in schema and \
            not re.search(schema["pattern"], value):
        errs.append("%s: %r does not match %s" % (where, value,
                                                  schema["pattern"]))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                errs.append("%s: required %r missing" % (where, k))
        for k, v in value.items():
            if k in props:
                errs += schema_errors(v, props[k], "%s.%s" % (where, k))
            elif schema.get("additionalProperties") is False:
                errs.append("%s: unexpected %r" % (where, k))
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            errs += schema_errors(v, schema["items"], "%s[%d]" % (where, i))
    return errs


def _template_re(t):
    return re.compile("^" + re.sub(r"\\\{[a-z]+\\\}", "[^/]+",
                                   re.escape(t)) + "$")


_PATHS = [(_template_re(t), t) for t in OPENAPI["paths"]]
EXERCISED = set()


def check_conformance(method, path, r):
    """Asserts that response r of method path is as documented."""
    path = path.split("?", 1)[0]
    matches = [t for rx, t in _PATHS if rx.match(path)]
    if not matches and r.status in (404, 405):
        # an unknown resource: still a problem document
        errs = schema_errors(json.loads(r.body),
                             {"$ref": "#/components/schemas/Problem"})
        assert not errs, "%s %s: %s\n%s" % (method, path, errs, r)
        return
    # a literal path wins over a template (/ocsp vs /ocsp/{request})
    if path in matches:
        matches = [path]
    assert len(matches) == 1, "%s %s: documented as %r" % (method, path,
                                                            matches)
    op = OPENAPI["paths"][matches[0]].get(method.lower())
    assert op is not None, "%s %s not documented" % (method, matches[0])
    EXERCISED.add((method, matches[0]))
    resp = op["responses"].get(str(r.status))
    assert resp is not None, "%s %s: status %d not documented\n%s" % (
        method, matches[0], r.status, r)
    content = resp.get("content")
    if content is None:
        assert r.body == b"", str(r)
        return
    ctype = (r.headers.get("Content-Type") or "").split(";")[0].strip()
    assert ctype in content, "%s %s %d: %s not in %r" % (
        method, matches[0], r.status, ctype, list(content))
    if ctype.endswith("json"):
        errs = schema_errors(json.loads(r.body), content[ctype]["schema"])
        assert not errs, "%s %s %d:\n%s\n%s" % (method, matches[0],
                                                 r.status, "\n".join(errs),
                                                 r)


def call(srv, method, path, body=None, **kw):
    """One request through the Server fixture, checked against the
    OpenAPI document."""
    if method == "POST" and body is None and "token" not in kw:
        body = {}
    r = srv.request(method, path, body, **kw)
    check_conformance(method, path, r)
    return r


def get(srv, path, **kw):
    return call(srv, "GET", path, **kw)


def post(srv, path, body=None, **kw):
    return call(srv, "POST", path, body if body is not None else {}, **kw)


def issue(srv, user="alice", **kw):
    r = call(srv, "POST", "/api/v1/requests", {
        "template": WS, "service": "web",
        "csr": csrgen.pem(web_csr(**kw)).decode()},
        user=user)
    assert r.status == 201 and r.json["state"] == "issued", str(r)
    return r.json


@pytest.fixture
def api(srv):
    # the cast of conftest's `ca`, plus an auditor
    srv.d("user", "add", "audrey", "--role", "auditor", as_="dave", rc=0)
    # tokens first: making one is itself an audit event
    for who in ("alice", "bob", "carol", "dave", "eve", "olive", "audrey"):
        srv.token(who)
    return srv


# --- the validator itself ---------------------------------------------------------

def test_validator_rejects_wrong_shapes():
    # the validator must be able to fail: wrong type, missing member, enum
    p = {"$ref": "#/components/schemas/RequestPage"}
    good = {"items": [], "page": 1, "page_size": 100, "total": 0}
    assert schema_errors(good, p) == []
    assert schema_errors(dict(good, page="1"), p)
    assert schema_errors({"items": [], "page": 1, "total": 0}, p)
    bad_item = {"id": 1, "state": "bogus", "template": WS, "service": "web",
                "requester": "alice", "created_at": "x"}
    assert schema_errors(dict(good, items=[bad_item]), p)
    assert schema_errors({"type": "t", "title": "x", "status": True},
                         {"$ref": "#/components/schemas/Problem"})


# --- OpenAPI document ---------------------------------------------------------------

def test_openapi_is_served_and_complete(api):
    # public, the embedded copy of src/http/openapi.json, OpenAPI 3
    r = get(api, "/api/v1/openapi.json")
    assert r.status == 200, str(r)
    assert r.json == OPENAPI
    assert OPENAPI["openapi"].startswith("3.0")
    # every route of DESIGN 7.1 is described with its methods
    want = {
        "/api/v1/requests": {"get", "post"},
        "/api/v1/requests/{id}": {"get"},
        "/api/v1/requests/{id}/approve": {"post"},
        "/api/v1/requests/{id}/reject": {"post"},
        "/api/v1/certificates": {"get"},
        "/api/v1/certificates/{serial}": {"get"},
        "/api/v1/certificates/{serial}/pem": {"get"},
        "/api/v1/certificates/{serial}/der": {"get"},
        "/api/v1/certificates/{serial}/chain": {"get"},
        "/api/v1/certificates/{serial}/revoke": {"post"},
        "/api/v1/services": {"get", "post"},
        "/api/v1/services/{name}/verify": {"post"},
        "/api/v1/services/{name}/retire": {"post"},
        "/api/v1/exceptions": {"get", "post"},
        "/api/v1/exceptions/{id}": {"delete"},
        "/api/v1/audit": {"get"},
        "/api/v1/audit/verify": {"post"},
        "/api/v1/audit/checkpoint": {"post"},
        "/api/v1/templates": {"get"},
        "/api/v1/openapi.json": {"get"},
        "/healthz": {"get"}, "/metrics": {"get"},
        "/ocsp": {"post"}, "/ocsp/{request}": {"get"},
        "/crl/issuing.crl": {"get"}, "/ca/issuing.crt": {"get"},
        "/ca/root.crt": {"get"},
    }
    for path, methods in want.items():
        assert set(OPENAPI["paths"][path]) == methods, path
    # every $ref resolves
    for m in re.finditer(r'"\$ref": "([^"]+)"', json.dumps(OPENAPI)):
        _resolve({"$ref": m.group(1)})


def test_openapi_conformance_tour(api):
    # one pass over every route; `call` validates each answer
    o = issue(api)
    s = o["serial"]
    get(api, "/healthz")
    get(api, "/api/v1/templates", user="alice")
    get(api, "/api/v1/requests", user="alice")
    get(api, "/api/v1/requests/%d" % o["id"], user="alice")
    get(api, "/api/v1/certificates", user="alice")
    get(api, "/api/v1/certificates?page=1", user="alice")
    get(api, "/api/v1/certificates/" + s, user="alice")
    for suffix in ("pem", "der", "chain"):
        get(api, "/api/v1/certificates/%s/%s" % (s, suffix), user="alice")
    pend = post(api, "/api/v1/requests", {
        "template": CS, "service": "web",
        "csr": csrgen.pem(codesign_csr()).decode()},
        user="alice").json
    post(api, "/api/v1/requests/%d/approve" % pend["id"], {"comment": "ok"},
         user="bob")
    post(api, "/api/v1/requests/%d/reject" % pend["id"], {"comment": "no"},
         user="carol")
    post(api, "/api/v1/requests", {"template": WS, "service": "web",
                                   "csr": "junk"}, user="alice")
    get(api, "/api/v1/services", user="dave")
    post(api, "/api/v1/services", {"name": "tour", "owner": "team-tour",
                                   "contact": "t@example.test"}, user="dave")
    post(api, "/api/v1/services/tour/verify", user="dave")
    post(api, "/api/v1/services/tour/retire", user="dave")
    x = post(api, "/api/v1/exceptions", {
        "template": WS, "service": "web", "rule": "key.size",
        "until": "30d", "reason": "tour"}, user="dave").json
    get(api, "/api/v1/exceptions", user="dave")
    call(api, "DELETE", "/api/v1/exceptions/%d" % x["id"], user="dave")
    get(api, "/api/v1/audit", user="audrey")
    post(api, "/api/v1/audit/checkpoint", user="audrey")
    post(api, "/api/v1/audit/verify", user="audrey")
    post(api, "/api/v1/certificates/%s/revoke" % s,
         {"reason": "superseded"}, user="dave")
    get(api, "/metrics")
    get(api, "/crl/issuing.crl")
    get(api, "/ca/issuing.crt")
    r = call(api, "POST", "/ocsp", b"\x30\x03\x02\x01\x00",
             ctype="application/ocsp-request", base=api.pub)
    assert r.status == 200
    get(api, "/api/v1/audit")           # 401
    get(api, "/api/v1/audit", user="alice")  # 403
    documented = {(m.upper(), p) for p, ops in OPENAPI["paths"].items()
                  for m in ops}
    missing = documented - EXERCISED - {("GET", "/ca/root.crt"),
                                        ("GET", "/ocsp/{request}")}
    assert not missing, sorted(missing)


# --- request list and pagination ------------------------------------------------------

def test_request_list_requester_sees_own(api):
    # alice sees only hers, eve only hers; approvers, admin, auditor all
    a = issue(api, user="alice")
    e = issue(api, user="eve")
    ids = lambda r: {x["id"] for x in r.json["items"]}
    ra = get(api, "/api/v1/requests", user="alice")
    assert ra.status == 200 and ids(ra) == {a["id"]}, str(ra)
    assert ids(get(api, "/api/v1/requests", user="eve")) == {e["id"]}
    for who in ("bob", "dave", "audrey"):
        r = get(api, "/api/v1/requests", user=who)
        assert ids(r) == {a["id"], e["id"]}, (who, str(r))
        assert r.json["total"] == 2 and r.json["page"] == 1
        assert r.json["page_size"] == 100


def test_request_list_filters(api):
    a = issue(api)
    p = post(api, "/api/v1/requests", {
        "template": CS, "service": "web",
        "csr": csrgen.pem(codesign_csr()).decode()},
        user="alice").json
    r = get(api, "/api/v1/requests?state=pending", user="bob")
    assert [x["id"] for x in r.json["items"]] == [p["id"]], str(r)
    r = get(api, "/api/v1/requests?state=issued&service=web", user="bob")
    assert [x["id"] for x in r.json["items"]] == [a["id"]], str(r)
    assert get(api, "/api/v1/requests?service=api",
               user="bob").json["items"] == []
    get(api, "/api/v1/requests?state=bogus", user="bob").problem(400)


def test_request_list_no_token_401(api):
    r = get(api, "/api/v1/requests")
    r.problem(401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_pagination_requests_and_certificates(api):
    # 5 items in pages of 2: 2, 2, 1, then an empty page past the end
    serials = [issue(api)["serial"] for _ in range(5)]
    # (service=web: the server's own certificate is in the inventory too)
    for path in ("/api/v1/requests", "/api/v1/certificates?service=web"):
        seen = []
        for page, n in ((1, 2), (2, 2), (3, 1), (4, 0)):
            r = get(api, "%s%spage=%d&page_size=2" % (
                path, "&" if "?" in path else "?", page),
                    user="dave")
            assert r.status == 200, str(r)
            j = r.json
            assert (j["page"], j["page_size"], j["total"]) == (page, 2, 5)
            assert len(j["items"]) == n, (path, page, j)
            seen += j["items"]
        key = "id" if path.endswith("requests") else "serial"
        assert len({x[key] for x in seen}) == 5
    got = {x["serial"] for x in get(api, "/api/v1/certificates?page=1"
                                    "&service=web",
                                   user="dave").json["items"]}
    assert got == set(serials)
    # without page arguments the inventory is still the bare array
    assert isinstance(get(api, "/api/v1/certificates",
                          user="dave").json, list)


@pytest.mark.parametrize("q", ["page=0", "page=-1", "page=x", "page=1.5",
                               "page_size=0", "page_size=1001",
                               "page=99999999999"])
def test_pagination_bad_arguments(api, q):
    for path in ("/api/v1/requests", "/api/v1/certificates",
                 "/api/v1/audit"):
        get(api, "%s?%s" % (path, q), user="dave").problem(400)


# --- certificate DER and chain ----------------------------------------------------------

def test_cert_der_and_chain(api):
    o = issue(api)
    s = o["serial"]
    pem = api.d.cert_pem(s)
    der = get(api, "/api/v1/certificates/%s/der" % s, user="alice")
    assert der.status == 200, str(der)
    assert der.headers["Content-Type"] == "application/pkix-cert"
    conv = openssl("x509", "-inform", "DER", input_bytes=der.body).stdout
    assert conv == pem
    chain = get(api, "/api/v1/certificates/%s/chain" % s, user="alice")
    assert chain.status == 200
    assert chain.headers["Content-Type"] == \
        "application/pem-certificate-chain"
    assert chain.body.startswith(pem)
    assert chain.body.count(b"-----BEGIN CERTIFICATE-----") >= 2
    # the chain verifies against the root
    leaf = api.d.file("leaf.pem", pem)
    inter = api.d.file("chain.pem", chain.body[len(pem):])
    p = openssl("verify", "-CAfile", api.d.root_crt, "-untrusted", inter,
                leaf)
    assert p.returncode == 0, p.stderr
    for suffix in ("der", "chain"):
        get(api, "/api/v1/certificates/abc123/%s" % suffix,
            user="alice").problem(404)
        get(api, "/api/v1/certificates/XYZ/%s" % suffix,
            user="alice").problem(404)
        get(api, "/api/v1/certificates/%s/%s" % (s, suffix)).problem(401)


# --- services ---------------------------------------------------------------------------

def test_services_list_and_add(api):
    r = get(api, "/api/v1/services", user="dave")
    # certward: the service of the server's own TLS certificate
    assert {s["name"] for s in r.json} == {"web", "api", "certward"}, str(r)
    assert get(api, "/api/v1/services", user="audrey").status == 200
    get(api, "/api/v1/services", user="alice").problem(403)
    get(api, "/api/v1/services").problem(401)
    body = {"name": "mail", "owner": "team-mail",
            "contact": "mail@example.test"}
    post(api, "/api/v1/services", body, user="alice").problem(403)
    post(api, "/api/v1/services", body, user="audrey").problem(403)
    r = post(api, "/api/v1/services", body, user="dave")
    assert r.status == 201 and r.json["name"] == "mail", str(r)
    assert r.json["owner"] == "team-mail" and not r.json["retired"]
    post(api, "/api/v1/services", body, user="dave").problem(409)
    post(api, "/api/v1/services", {"name": "x"}, user="dave").problem(400)
    post(api, "/api/v1/services", dict(body, name="y", owner="Bad Owner"),
         user="dave").problem(400)
    post(api, "/api/v1/services", dict(body, extra=1),
         user="dave").problem(400)
    post(api, "/api/v1/services", "{", user="dave").problem(400)
    post(api, "/api/v1/services", body, user="dave",
         ctype="text/plain").problem(415)
    names = {s["name"] for s in get(api, "/api/v1/services",
                                    user="dave").json}
    assert "mail" in names
    # audited with the token's user over the rest channel
    ev = get(api, "/api/v1/audit?object=service:mail",
             user="audrey").json["items"]
    assert ev and ev[0]["actor"] == "dave" and ev[0]["channel"] == "rest", ev


def test_service_verify_roles(api):
    # pki-admin and the owner team (olive holds team-web) may attest;
    # a requester, an approver, another team may not
    r = post(api, "/api/v1/services/web/verify", user="olive")
    assert r.status == 200 and r.json == {"name": "web",
                                          "verified_by": "olive",
                                          "released": 0}, str(r)
    assert post(api, "/api/v1/services/web/verify",
                user="dave").status == 200
    for who in ("alice", "bob", "audrey"):
        post(api, "/api/v1/services/web/verify", user=who).problem(403)
    post(api, "/api/v1/services/api/verify", user="olive").problem(403)
    post(api, "/api/v1/services/web/verify").problem(401)
    post(api, "/api/v1/services/nosuch/verify", user="dave").problem(404)
    post(api, "/api/v1/services/Bad%20Name/verify", user="dave") \
        .problem(404)
    post(api, "/api/v1/services/web/verify", {"x": 1},
         user="dave").problem(400)


def test_service_retire(api):
    o = issue(api)
    post(api, "/api/v1/services/web/retire", user="olive").problem(403)
    post(api, "/api/v1/services/web/retire", user="alice").problem(403)
    post(api, "/api/v1/services/web/retire").problem(401)
    r = post(api, "/api/v1/services/web/retire", user="dave")
    assert r.status == 200, str(r)
    assert r.json == {"name": "web", "retired": True, "revoked": 1}
    c = get(api, "/api/v1/certificates/" + o["serial"], user="alice").json
    assert c["status"] == "revoked"
    assert c["revocation_reason"] == "cessationOfOperation"
    post(api, "/api/v1/services/web/retire", user="dave").problem(409)
    post(api, "/api/v1/services/web/verify", user="dave").problem(409)
    post(api, "/api/v1/services/nosuch/retire", user="dave").problem(404)
    svc = [s for s in get(api, "/api/v1/services", user="dave").json
           if s["name"] == "web"][0]
    assert svc["retired"] is True


# --- exceptions -------------------------------------------------------------------------

def test_exceptions_add_list_delete(api):
    body = {"template": WS, "service": "web", "rule": "key.size",
            "until": "30d", "reason": "legacy HSM until March"}
    post(api, "/api/v1/exceptions", body, user="alice").problem(403)
    post(api, "/api/v1/exceptions", body, user="audrey").problem(403)
    post(api, "/api/v1/exceptions", body).problem(401)
    r = post(api, "/api/v1/exceptions", body, user="dave")
    assert r.status == 201, str(r)
    x = r.json
    assert x["rule"] == "key.size" and x["granted_by"] == "dave"
    assert r.headers["Location"] == "/api/v1/exceptions/%d" % x["id"]
    lst = get(api, "/api/v1/exceptions", user="dave").json
    assert [e["id"] for e in lst] == [x["id"]]
    assert get(api, "/api/v1/exceptions", user="audrey").status == 200
    get(api, "/api/v1/exceptions", user="alice").problem(403)
    path = "/api/v1/exceptions/%d" % x["id"]
    call(api, "DELETE", path, user="alice").problem(403)
    call(api, "DELETE", path).problem(401)
    r = call(api, "DELETE", path, user="dave")
    assert r.status == 204 and r.body == b"", str(r)
    call(api, "DELETE", path, user="dave").problem(409)
    call(api, "DELETE", "/api/v1/exceptions/999", user="dave").problem(404)
    call(api, "DELETE", "/api/v1/exceptions/abc", user="dave").problem(404)
    assert get(api, "/api/v1/exceptions", user="dave").json == []
    everything = get(api, "/api/v1/exceptions?all=true", user="dave").json
    assert [e["revoked"] for e in everything] == [True]
    get(api, "/api/v1/exceptions?all=maybe", user="dave").problem(400)


@pytest.mark.parametrize("change,why", [
    ({"rule": "pop"}, "never waivable"),
    ({"rule": "nonsense"}, "not a rule"),
    ({"until": "yesterday"}, "bad time"),
    ({"until": "2001-01-01"}, "past"),
    ({"template": "nosuch"}, "unknown template"),
    ({"service": "nosuch"}, "unknown service"),
    ({"reason": ""}, "empty reason"),
    ({"reason": 5}, "wrong type"),
])
def test_exception_bad_input(api, change, why):
    body = {"template": WS, "service": "web", "rule": "key.size",
            "until": "30d", "reason": "r"}
    body.update(change)
    post(api, "/api/v1/exceptions", body, user="dave").problem(400)
    assert get(api, "/api/v1/exceptions", user="dave").json == []


# --- audit ------------------------------------------------------------------------------

def test_audit_log_roles_filters_pages(api):
    o = issue(api)
    get(api, "/api/v1/audit").problem(401)
    for who in ("alice", "bob", "olive"):
        get(api, "/api/v1/audit", user=who).problem(403)
    r = get(api, "/api/v1/audit", user="audrey")
    assert r.status == 200, str(r)
    total = r.json["total"]
    assert total == len(r.json["items"]) and total > 3
    seqs = [e["seq"] for e in r.json["items"]]
    assert seqs == sorted(seqs)
    assert get(api, "/api/v1/audit", user="dave").json["total"] == total
    obj = "cert:" + o["serial"]
    ev = get(api, "/api/v1/audit?object=" + obj, user="audrey").json
    assert ev["total"] >= 1 and {e["object"] for e in ev["items"]} == {obj}
    p2 = get(api, "/api/v1/audit?page=2&page_size=2", user="audrey").json
    assert [e["seq"] for e in p2["items"]] == seqs[2:4]
    assert get(api, "/api/v1/audit?since=1h", user="audrey") \
        .json["total"] == total
    assert get(api, "/api/v1/audit?since=2999-01-01", user="audrey") \
        .json["total"] == 0
    get(api, "/api/v1/audit?since=whenever", user="audrey").problem(400)


def test_audit_checkpoint_and_verify(api):
    issue(api)
    post(api, "/api/v1/audit/checkpoint", user="alice").problem(403)
    post(api, "/api/v1/audit/verify", user="bob").problem(403)
    post(api, "/api/v1/audit/verify").problem(401)
    r = post(api, "/api/v1/audit/checkpoint", user="audrey")
    assert r.status == 201 and r.json["checkpoint"], str(r)
    v = post(api, "/api/v1/audit/verify", user="audrey")
    assert v.status == 200 and v.json["intact"] is True, str(v)
    assert v.json["checkpoint"]["size"] >= 1
    # against an explicit checkpoint text
    v = post(api, "/api/v1/audit/verify",
             {"checkpoint": r.json["checkpoint"]}, user="dave")
    assert v.status == 200 and v.json["intact"] is True, str(v)
    post(api, "/api/v1/audit/verify", {"checkpoint": "garbage"},
         user="dave").problem(400)
    post(api, "/api/v1/audit/verify", {"nope": 1}, user="dave").problem(400)
    # the checkpoint is itself audited
    acts = [e["action"] for e in get(api, "/api/v1/audit",
                                     user="audrey").json["items"]]
    assert "audit.checkpoint" in acts


def test_audit_verify_reports_tampering(api):
    # a changed event makes verify answer intact: false (not an error)
    issue(api)
    db = sqlite3.connect(api.d.db, timeout=30)
    db.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    db.commit()
    db.close()
    v = post(api, "/api/v1/audit/verify", user="audrey")
    assert v.status == 200 and v.json["intact"] is False, str(v)
    assert v.json["error"]


# --- metrics ----------------------------------------------------------------------------

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? '
                     r'(-?[0-9.eE+-]+|\+Inf|NaN)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Parses the Prometheus text format strictly: every line is a HELP or
    TYPE comment or a sample; returns {(name, frozenset(labels)): value}
    and the TYPE of each family."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            assert len(line.split(" ", 3)) == 4, line
            continue
        if line.startswith("# TYPE "):
            _, _, name, t = line.split(" ")
            assert t in ("counter", "gauge", "histogram", "summary",
                         "untyped"), line
            types[name] = t
            continue
        m = _SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        labels = {}
        if m.group(3):
            rest = m.group(3)
            pos = 0
            for lm in _LABEL.finditer(rest):
                assert lm.start() == pos, rest
                labels[lm.group(1)] = lm.group(2)
                pos = lm.end()
                if pos < len(rest):
                    assert rest[pos] == ",", rest
                    pos += 1
            assert pos == len(rest), rest
        name = m.group(1)
        fam = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in types or fam in types, "no TYPE for " + name
        samples[(name, frozenset(labels.items()))] = float(m.group(4))
    return samples, types


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(api):
    r = get(api, "/metrics")
    assert r.status == 200, str(r)
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_metrics(r.body.decode())


def test_metrics_format_and_inventory(api):
    s, types = scrape(api)
    assert types["certward_certificates"] == "gauge"
    assert types["certward_http_requests_total"] == "counter"
    assert types["certward_issuance_duration_seconds"] == "histogram"
    # the server's own certificate (server_cert_lifetime 7d by default)
    assert metric(s, "certward_certificates_expiring", within="7d") == 1
    o = issue(api)
    issue(api)
    post(api, "/api/v1/certificates/%s/revoke" % o["serial"],
         {"reason": "superseded"}, user="dave")
    post(api, "/api/v1/requests", {
        "template": CS, "service": "web",
        "csr": csrgen.pem(codesign_csr()).decode()},
        user="alice")
    s, _ = scrape(api)
    assert metric(s, "certward_certificates", status="valid",
                  template=WS) == 1
    assert metric(s, "certward_certificates", status="revoked",
                  template=WS) == 1
    # the example policy's web-server certificates live 30 days
    assert metric(s, "certward_certificates_expiring", within="7d") == 1
    assert metric(s, "certward_certificates_expiring", within="30d") == 2
    assert metric(s, "certward_requests", state="issued") == 2
    assert metric(s, "certward_requests", state="pending") == 1
    assert metric(s, "certward_issuance_duration_seconds_count") >= 2
    assert metric(s, "certward_issuance_duration_seconds_bucket",
                  le="+Inf") == \
        metric(s, "certward_issuance_duration_seconds_count")


def test_metrics_http_counts_move(api):
    # counts are shared by all workers: any worker's scrape sees them
    route = dict(method="GET", route="/api/v1/templates")
    s0, _ = scrape(api)
    before200 = metric(s0, "certward_http_requests_total", code="200",
                       **route)
    before401 = metric(s0, "certward_http_requests_total", code="401",
                       **route)
    for _ in range(6):
        get(api, "/api/v1/templates", user="alice")
    get(api, "/api/v1/templates")
    get(api, "/api/v1/nothing", user="alice")
    s1, _ = scrape(api)
    assert metric(s1, "certward_http_requests_total", code="200",
                  **route) == before200 + 6
    assert metric(s1, "certward_http_requests_total", code="401",
                  **route) == before401 + 1
    assert metric(s1, "certward_http_requests_total", method="",
                  route="unmatched", code="404") >= 1
    cnt = metric(s1, "certward_http_request_duration_seconds_count",
                 **route)
    assert cnt == before200 + before401 + 7
    assert metric(s1, "certward_http_request_duration_seconds_bucket",
                  le="+Inf", **route) == cnt
    # cumulative buckets never decrease
    les = sorted((float(dict(k[1])["le"]), v) for k, v in s1.items()
                 if k[0] == "certward_http_request_duration_seconds_bucket"
                 and dict(k[1]).get("route") == "/api/v1/templates")
    assert [v for _, v in les] == sorted(v for _, v in les)


def test_metrics_not_on_public_listener(api):
    # inventory figures are not for the relying parties' listener
    r = api.get("/metrics", base=api.pub)
    r.problem(404)


# --- failed sign-ins --------------------------------------------------------------------

def test_auth_failure_is_audited_without_token(api):
    bad = "cw_1_" + "Q" * 43
    get(api, "/api/v1/templates", token=bad).problem(401)
    ev = get(api, "/api/v1/audit?object=auth", user="audrey").json["items"]
    assert [e["action"] for e in ev] == ["auth.fail"], ev
    d = ev[0]["details"]
    assert d["source"] == "127.0.0.1" and d["failures"] == 1, d
    assert ev[0]["actor"] == "anonymous" and ev[0]["channel"] == "rest"
    assert "Q" * 43 not in json.dumps(ev) and "Q" * 43 not in \
        api.log_text()
    # a missing token is not a failed sign-in
    get(api, "/api/v1/templates").problem(401)
    assert get(api, "/api/v1/audit?object=auth",
               user="audrey").json["total"] == 1
    # the log still verifies
    assert post(api, "/api/v1/audit/verify",
                user="audrey").json["intact"] is True


def test_auth_failures_rate_limited(api):
    # 20 invalid tokens a minute from one address: 401 each; then 429
    # with Retry-After, even for a valid token, until the window ends;
    # public routes stay open
    good = api.token("audrey")
    for i in range(20):
        get(api, "/api/v1/templates", token="cw_%d_" % (i + 1) + "A" * 43) \
            .problem(401)
    r = get(api, "/api/v1/templates", token="cw_1_" + "A" * 43)
    p = r.problem(429)
    assert p["type"].endswith("too-many-requests")
    assert int(r.headers["Retry-After"]) > 0
    get(api, "/api/v1/templates", token=good).problem(429)
    assert get(api, "/healthz").status == 200
    s, _ = scrape(api)
    assert metric(s, "certward_auth_failures_total") == 20
    assert metric(s, "certward_http_limited_total") == 2
    # 20 audited failures, the last one marked as reaching the limit; the
    # refused attempts after it are not audited
    ev = api.d.json("audit", "log", "--object", "auth")
    assert len(ev) == 20, ev
    assert [e["details"]["failures"] for e in ev] == list(range(1, 21))
    assert ev[-1]["details"]["limited"] is True
    assert not ev[0]["details"]["limited"]
    assert all(e["action"] == "auth.fail" for e in ev)

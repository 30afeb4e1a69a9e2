"""The inventory (issue 3): `cert list` filters and JSON fields checked
against the certificates themselves, `cert show` with its request and
audit trail, `request list`, `service list`, `audit log --object`.

One data directory is built per module (the tests here only read it).
"""

import datetime
import json

import pytest
from cryptography import x509

import cwdata
from cwdata import (BASE_URL, CS, WL, WS, codesign_csr, ec_key, not_after,
                    not_before, parse_time, web_csr, workload_csr)

FIELDS = {"serial", "subject", "sans", "key_alg", "not_before", "not_after",
          "template", "service", "status", "request_id", "renewed_by",
          "revoked_at", "revocation_reason"}


@pytest.fixture(scope="module")
def inv(tmp_path_factory, keys):
    """web: an EC and an RSA web-server certificate and a revoked one;
    api: an Ed25519 workload identity, a P-384 web-server certificate and
    a code-signing certificate approved by bob and carol."""
    d = cwdata.Data(tmp_path_factory.mktemp("inv"))
    d.init("--policy", cwdata.EXAMPLE_POLICY, "--base-url", BASE_URL)
    d.people()
    d.service("web")
    d.service("api")
    c = {}
    c["w_ec"] = d.issue(web_csr(dns=("ec.svc.example.internal",)))
    c["w_rsa"] = d.issue(web_csr(keys.rsa(3072),
                                 dns=("rsa.svc.example.internal",)))
    c["w_rev"] = d.issue(web_csr(dns=("rev.svc.example.internal",)))
    c["a_wl"] = d.issue(workload_csr(keys.ed25519(slot=7)), template=WL,
                        service="api")
    c["a_384"] = d.issue(web_csr(ec_key("P-384"),
                                 dns=("p384.svc.example.internal",)),
                         service="api")
    p = d.submit(codesign_csr(), template=CS, service="api", rc=0)
    d("request", "approve", p["id"], "--comment", "ok", as_="bob", rc=0)
    c["a_cs"] = d.json("request", "approve", p["id"], as_="carol")
    c["a_cs"]["id"] = p["id"]
    assert c["a_cs"]["state"] == "issued"
    d("cert", "revoke", c["w_rev"]["serial"], "--reason", "keyCompromise",
      as_="dave", rc=0)
    # a rejected and a pending request, for request list
    c["rej"] = d.rejected(web_csr(dns=("x.elsewhere.test",)), "san.dns")
    c["pend"] = d.submit(codesign_csr(cn="Gamma Release Signing"),
                         template=CS, service="web", rc=0)
    d.c = c
    d.s = {k: v.get("serial") for k, v in c.items()}
    return d


def names(inv, *keys_):
    return {inv.s[k] for k in keys_}


VALID = ("w_ec", "w_rsa", "a_wl", "a_384", "a_cs")
ALL = VALID + ("w_rev",)


def test_list_json_fields_match_the_certificates(inv):
    """Every entry has the contract's fields, and they agree with the
    certificate itself."""
    lst = inv.certs()
    assert isinstance(lst, list)
    assert {c["serial"] for c in lst} == names(inv, *ALL)
    assert len(lst) == len(ALL)
    by = {c["serial"]: c for c in lst}
    alg = {"w_ec": "ec:P-256", "w_rsa": "rsa:3072", "w_rev": "ec:P-256",
           "a_wl": "ed25519", "a_384": "ec:P-384", "a_cs": "ec:P-384"}
    tmpl = {"a_wl": WL, "a_cs": CS}
    for k in ALL:
        e = by[inv.s[k]]
        assert set(e) >= FIELDS, sorted(FIELDS - set(e))
        cert = inv.cert_x509(inv.s[k])
        assert format(cert.serial_number, "x") == e["serial"]
        assert parse_time(e["not_before"]) == not_before(cert), e
        assert parse_time(e["not_after"]) == not_after(cert), e
        assert e["key_alg"] == alg[k], e
        assert e["template"] == tmpl.get(k, WS), e
        assert e["service"] == ("api" if k.startswith("a_") else "web"), e
        assert e["request_id"] == inv.c[k]["id"], e
        assert not e["renewed_by"], e
        assert isinstance(e["subject"], str), e
        try:
            want = cert.extensions.get_extension_for_class(
                x509.SubjectAlternativeName).value
            want = [g.value for g in want]
        except x509.ExtensionNotFound:
            want = []
        flat = json.dumps(e["sans"])
        assert isinstance(e["sans"], list) and len(e["sans"]) == len(want)
        for n in want:
            assert n in flat, (n, e["sans"])
        if k == "w_rev":
            assert e["status"] == "revoked" and e["revoked_at"], e
            assert e["revocation_reason"] in ("keyCompromise", 1), e
        else:
            assert e["status"] == "valid" and not e["revoked_at"], e
    assert "Alpha Release Signing" in by[inv.s["a_cs"]]["subject"]


@pytest.mark.parametrize("args,expect", [
    (("--service", "web"), ("w_ec", "w_rsa", "w_rev")),
    (("--service", "api"), ("a_wl", "a_384", "a_cs")),
    (("--service", "nobody"), ()),
    (("--template", WL), ("a_wl",)),
    (("--template", CS), ("a_cs",)),
    (("--template", WS), ("w_ec", "w_rsa", "w_rev", "a_384")),
    (("--status", "revoked"), ("w_rev",)),
    (("--status", "valid"), VALID),
    (("--status", "superseded"), ()),
    (("--status", "expired"), ()),
    (("--key-alg", "ec"), ("w_ec", "w_rev", "a_384", "a_cs")),
    (("--key-alg", "ec:P-384"), ("a_384", "a_cs")),
    (("--key-alg", "rsa"), ("w_rsa",)),
    (("--key-alg", "ed25519"), ("a_wl",)),
    (("--service", "web", "--key-alg", "ec"), ("w_ec", "w_rev")),
    (("--service", "web", "--status", "valid"), ("w_ec", "w_rsa")),
    (("--due",), ()),
])
def test_list_filters(inv, args, expect):
    """Each filter (and a combination) selects exactly its certificates."""
    assert inv.serials(*args) == names(inv, *expect)


@pytest.mark.parametrize("window,expect", [
    ("40d", ("w_ec", "w_rsa", "a_wl", "a_384")),
    ("2d", ("a_wl",)),
    ("1h", ()),
    ("400d", VALID),
])
def test_list_expiring(inv, window, expect):
    """--expiring D: valid certificates whose notAfter is within D
    (web-server 30 days, workload 24 hours, code-signing 365 days)."""
    got = inv.serials("--expiring", window) - names(inv, "w_rev")
    assert got == names(inv, *expect)


def test_list_expiring_1d_excludes_month_long(inv):
    """--expiring 1d leaves out the 30- and 365-day certificates (the
    24-hour one sits on the boundary and is not judged here)."""
    got = inv.serials("--expiring", "1d")
    assert not got & names(inv, "w_ec", "w_rsa", "a_384", "a_cs"), got


def test_list_json_streamed_is_the_same_document(inv):
    """The JSON listing is printed row by row; it is still one JSON array,
    indented like every other --json output, with a count line in the text
    form and an empty array when nothing matches."""
    r = inv("cert", "list", "--json", rc=0)
    lst = json.loads(r.stdout)
    assert r.stdout.startswith("[\n  {\n    \"") and r.stdout.endswith("}\n]\n")
    assert len(lst) == len(ALL)
    one = inv("cert", "list", "--json", "--limit", "1", rc=0)
    assert json.loads(one.stdout) == lst[:1]
    none = inv("cert", "list", "--json", "--service", "no-such", rc=0)
    assert none.stdout == "[]\n"
    text = inv("cert", "list", rc=0).stdout
    assert text.rstrip().endswith("%d certificates" % len(ALL)), text
    assert inv("cert", "list", "--service", "no-such",
               rc=0).stdout.rstrip().endswith("0 certificates")


def test_list_text(inv):
    """The text listing names every certificate."""
    r = inv("cert", "list", rc=0)
    for k in ALL:
        assert inv.s[k] in r.stdout, str(r)


def trail_of(obj):
    for key in ("audit", "audit_trail", "events", "trail", "history"):
        if isinstance(obj.get(key), list):
            return obj[key]
    pytest.fail("no audit trail in cert show: keys %s" % sorted(obj))


def test_cert_show_has_request_and_trail(inv):
    """cert show: the record, its request with approvals, and the audit
    events of the certificate and of its request."""
    s = inv.s["a_cs"]
    obj = inv.cert(s)
    assert obj["serial"] == s and obj["status"] == "valid"
    req = obj["request"]
    assert req["id"] == inv.c["a_cs"]["id"] and req["state"] == "issued"
    assert sorted(a["principal"] for a in req["approvals"]) == \
        ["bob", "carol"]
    trail = trail_of(obj)
    actions = [e["action"] for e in trail]
    for a in ("request.submit", "request.approve", "cert.issue"):
        assert a in actions, actions
    assert actions.count("request.approve") == 2
    objects = {e["object"] for e in trail}
    assert objects <= {"cert:" + s, "request:%d" % req["id"]}, objects

    rev = trail_of(inv.cert(inv.s["w_rev"]))
    acts = [e["action"] for e in rev]
    assert "cert.issue" in acts and "cert.revoke" in acts, acts
    assert acts.index("cert.issue") < acts.index("cert.revoke")
    r = inv("cert", "show", s, rc=0)
    assert s in r.stdout


def test_request_list(inv):
    """request list filters by state and service."""
    all_ = inv.json("request", "list")
    ids = {r["id"] for r in all_}
    assert {inv.c[k]["id"] for k in ("w_ec", "rej", "pend")} <= ids
    assert {r["id"] for r in inv.json("request", "list", "--state",
                                      "pending")} == {inv.c["pend"]["id"]}
    assert {r["id"] for r in inv.json("request", "list", "--state",
                                      "rejected")} == {inv.c["rej"]["id"]}
    web = inv.json("request", "list", "--service", "web")
    assert all(r["service"] == "web" for r in web) and web
    assert inv.c["a_wl"]["id"] not in {r["id"] for r in web}


def test_service_list(inv):
    """service list: owner, contact, verified_at, retired, staleness."""
    svc = {s["name"]: s for s in inv.json("service", "list")}
    assert set(svc) == {"web", "api"}
    w = svc["web"]
    assert w["owner"] == "team-web"
    assert w["contact"] == "web-owners@example.test"
    assert w["retired"] is False and w["stale_for"] == []
    vt = w["verified_at"]
    if isinstance(vt, str):
        vt = parse_time(vt).timestamp()
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    assert now - 600 < vt <= now + 5


def test_audit_log_object_filter(inv):
    """audit log --object names one object's events only."""
    s = inv.s["w_rev"]
    ev = inv.json("audit", "log", "--object", "cert:" + s)
    assert ev and all(e["object"] == "cert:" + s for e in ev), ev
    assert [e["action"] for e in ev] == ["cert.issue", "cert.revoke"]
    full = inv.json("audit", "log")
    assert [e["seq"] for e in full] == list(range(1, len(full) + 1))
    assert len(full) == inv.audit_count()

"""Governed issuance through the CLI (issue 3): init, the CA, issuance
checked independently (openssl verify, python cryptography on every
extension), approvals, held requests of stale owners, key reuse and
renewal, revocation and the CRL, retirement, exceptions and bad input.

Fixtures (conftest.py): `ca` is an initialised data directory with the
users alice, eve (requester), bob, carol (security-officer), dave
(pki-admin), olive (team-web) and the services web and api; `data` one
that is not initialised yet.
"""

import datetime
import os
import re
import stat
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import (AuthorityInformationAccessOID,
                                   ExtendedKeyUsageOID, ExtensionOID,
                                   NameOID)

import csrgen
import cwdata
from cwdata import (BASE_URL, CS, DAY, WL, WS, codesign_csr, ec_key, ext,
                    load_cert, not_after, not_before, openssl, pem_blocks,
                    web_csr, workload_csr)

REASONS = {"unspecified": 0, "keyCompromise": 1, "cACompromise": 2,
           "affiliationChanged": 3, "superseded": 4,
           "cessationOfOperation": 5, "certificateHold": 6,
           "privilegeWithdrawn": 9, "aACompromise": 10}
NOW = lambda: datetime.datetime.now(datetime.timezone.utc)  # noqa: E731


def reason_is(value, name):
    """A revocation reason in JSON, by RFC 5280 name or its code."""
    return value == name or value == REASONS[name]


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# --- independent checks of an issued certificate -----------------------------

def check_leaf(cert, issuing, sans, rsa_key=False, eku=("serverAuth",),
               days=30, cn=None):
    """Every extension and field of an end-entity certificate against
    what the template and the contract promise."""
    now = NOW()
    assert cert.version == x509.Version.v3
    # serial: positive, at least 64 random bits (DESIGN §8), <= 20 octets
    assert cert.serial_number > 0
    assert 64 <= cert.serial_number.bit_length() <= 159
    assert cert.issuer == issuing.subject
    # signed by the issuing CA's key
    pub = issuing.public_key()
    if isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes,
                   ec.ECDSA(cert.signature_hash_algorithm))
    elif isinstance(pub, rsa.RSAPublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes,
                   padding.PKCS1v15(), cert.signature_hash_algorithm)
    else:
        pub.verify(cert.signature, cert.tbs_certificate_bytes)

    # exactly these extensions, each once, nothing copied from the CSR
    oids = [e.oid for e in cert.extensions]
    assert len(oids) == len(set(oids)), oids
    want = {ExtensionOID.SUBJECT_ALTERNATIVE_NAME, ExtensionOID.KEY_USAGE,
            ExtensionOID.EXTENDED_KEY_USAGE, ExtensionOID.BASIC_CONSTRAINTS,
            ExtensionOID.SUBJECT_KEY_IDENTIFIER,
            ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
            ExtensionOID.CRL_DISTRIBUTION_POINTS,
            ExtensionOID.AUTHORITY_INFORMATION_ACCESS}
    if not sans:
        want.discard(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    assert set(oids) == want, [o.dotted_string for o in oids]

    bc = ext(cert, x509.BasicConstraints)
    assert bc.critical, "basicConstraints must be critical"
    assert bc.value.ca is False and bc.value.path_length is None

    ku = ext(cert, x509.KeyUsage)
    assert ku.critical, "keyUsage must be critical"
    k = ku.value
    assert k.digital_signature is True
    # RFC 5280 4.2.1.3 / DESIGN: keyEncipherment only for RSA keys
    assert k.key_encipherment is rsa_key, k
    assert not (k.content_commitment or k.data_encipherment or
                k.key_agreement or k.key_cert_sign or k.crl_sign), k

    eku_want = [getattr(ExtendedKeyUsageOID, {
        "serverAuth": "SERVER_AUTH", "clientAuth": "CLIENT_AUTH",
        "codeSigning": "CODE_SIGNING"}[e]) for e in eku]
    assert list(ext(cert, x509.ExtendedKeyUsage).value) == eku_want

    if sans:
        san = ext(cert, x509.SubjectAlternativeName)
        got = []
        for gn in san.value:
            if isinstance(gn, x509.DNSName):
                got.append(("dns", gn.value))
            elif isinstance(gn, x509.IPAddress):
                got.append(("ip", str(gn.value)))
            elif isinstance(gn, x509.UniformResourceIdentifier):
                got.append(("uri", gn.value))
            else:
                got.append(("other", repr(gn)))
        assert sorted(got) == sorted(sans), got
        if len(cert.subject) == 0:
            # RFC 5280 4.2.1.6: an empty subject makes the SAN critical
            assert san.critical
    cns = [a.value for a in cert.subject.get_attributes_for_oid(
        NameOID.COMMON_NAME)]
    assert cns == ([cn] if cn else []), cert.subject

    ski = ext(cert, x509.SubjectKeyIdentifier)
    assert not ski.critical and len(ski.value.digest) >= 8
    aki = ext(cert, x509.AuthorityKeyIdentifier)
    assert not aki.critical
    assert aki.value.key_identifier == \
        ext(issuing, x509.SubjectKeyIdentifier).value.digest

    dps = ext(cert, x509.CRLDistributionPoints).value
    assert len(dps) == 1
    assert list(dps[0].full_name) == [
        x509.UniformResourceIdentifier(BASE_URL + "/crl/issuing.crl")]
    aia = ext(cert, x509.AuthorityInformationAccess).value
    got = {(d.access_method, d.access_location.value) for d in aia}
    assert got == {
        (AuthorityInformationAccessOID.OCSP, BASE_URL + "/ocsp"),
        (AuthorityInformationAccessOID.CA_ISSUERS,
         BASE_URL + "/ca/issuing.crt")}, got

    life = (not_after(cert) - not_before(cert)).total_seconds()
    assert abs(life - days * DAY) <= 3600, life
    assert not_before(cert) <= now + datetime.timedelta(seconds=5)
    assert not_after(cert) >= now + datetime.timedelta(days=days, hours=-1)


def openssl_verify(d, leaf_pem, *extra):
    leaf = d.file("leaf-%d.pem" % time.monotonic_ns(), leaf_pem)
    return openssl("verify", *extra, "-CAfile", d.root_crt, "-untrusted",
                   d.issuing_crt, leaf)


# --- init and the CA ---------------------------------------------------------

def test_init_creates_the_data_directory(data, example_policy):
    """init creates config, policy copy, database, CA and audit keys with
    private keys 0600; the admin is the OS user with role pki-admin."""
    r = data("init", "--policy", example_policy, rc=0)
    assert r.stdout.strip(), "init prints what it created\n%s" % r
    for f in ("config.yaml", "policy.yaml", "certward.db", "ca/root.crt",
              "ca/root.key", "ca/issuing.crt", "ca/issuing.key",
              "audit/audit.key", "audit/audit.pub"):
        assert os.path.isfile(data.path(f)), f
    for f in ("ca/root.key", "ca/issuing.key", "audit/audit.key"):
        assert mode(data.path(f)) == 0o600, f
    with open(example_policy, "rb") as a, \
            open(data.path("policy.yaml"), "rb") as b:
        assert a.read() == b.read()
    root = load_cert(data.root_crt)
    issuing = data.issuing()
    assert issuing.issuer == root.subject
    root.public_key().verify(issuing.signature,
                             issuing.tbs_certificate_bytes,
                             ec.ECDSA(issuing.signature_hash_algorithm))
    assert isinstance(issuing.public_key(), ec.EllipticCurvePublicKey)
    assert issuing.public_key().curve.name == "secp256r1"
    assert ext(issuing, x509.BasicConstraints).value.ca is True
    assert ext(root, x509.BasicConstraints).value.ca is True
    users = data.json("user", "list")
    me = [u for u in users if u["name"] == cwdata.os_user()]
    assert me and "pki-admin" in me[0]["roles"], users
    ev = data.events()
    assert ev and ev[0]["action"] == "init" and ev[0]["seq"] == 1, ev


def test_init_twice_changes_nothing(data, example_policy):
    """A second init exits 2 and leaves every file as it was."""
    data.init("--policy", example_policy)
    before = data.snapshot()
    r = data.fails(2, "init", "--policy", example_policy)
    assert data.snapshot() == before, r


def test_init_default_policy_is_the_example(data, example_policy):
    """Without --policy, policy.yaml is the built-in example."""
    data.init()
    with open(example_policy, "rb") as a, \
            open(data.path("policy.yaml"), "rb") as b:
        assert a.read() == b.read()


def test_init_root_key_out_and_other_alg(data):
    """--root-key-out writes the root key outside and not into the data
    directory; --ca-alg ec:P-384 makes P-384 CA keys."""
    out = os.path.join(data.root, "offline-root.key")
    data.init("--ca-alg", "ec:P-384", "--root-key-out", out)
    assert os.path.isfile(out) and mode(out) == 0o600
    assert not os.path.exists(data.path("ca", "root.key"))
    assert data.issuing().public_key().curve.name == "secp384r1"


def test_ca_show(ca):
    """ca show --pem is the issuing certificate, --root --pem the root;
    the text form names the issuing CA."""
    r = ca("ca", "show", "--pem", rc=0)
    blocks = pem_blocks(r.stdout_bytes)
    assert blocks, str(r)
    assert x509.load_pem_x509_certificate(blocks[0]) == ca.issuing()
    r = ca("ca", "show", "--root", "--pem", rc=0)
    assert x509.load_pem_x509_certificate(pem_blocks(r.stdout_bytes)[0]) \
        == load_cert(ca.root_crt)
    r = ca("ca", "show", rc=0)
    cn = ca.issuing().subject.get_attributes_for_oid(
        NameOID.COMMON_NAME)[0].value
    assert cn in r.stdout, str(r)


def test_user_management(ca):
    """Only a pki-admin adds or removes users; unknown principals are an
    input error; a removed user can no longer act."""
    users = {u["name"]: u["roles"] for u in ca.json("user", "list")}
    assert users["bob"] == ["security-officer"], users
    assert set(users) >= {"alice", "bob", "carol", "dave", "eve"}
    r = ca("user", "add", "mallory", "--role", "pki-admin", as_="alice")
    assert r.rc != 0, str(r)
    assert "mallory" not in {u["name"] for u in ca.json("user", "list")}
    r = ca.fails(2, "user", "add", "zed", "--role", "requester",
                 as_="nobody-known")
    assert "unknown user" in r.text, str(r)
    ca("user", "remove", "eve", as_="dave", rc=0)
    assert "eve" not in {u["name"] for u in ca.json("user", "list")}
    r = ca("request", "submit", "--template", WS, "--service", "web",
           ca.csr_file(web_csr()), as_="eve")
    assert r.rc == 2 and "unknown user" in r.text, str(r)


def test_data_option_anywhere_and_env(ca):
    """--data is accepted after the verb, and CERTWARD_DATA is the
    default."""
    r = cwdata.run_bin(["cert", "list", "--json", "--data", ca.dir],
                       ca.root)
    assert r.rc == 0 and r.json == [], str(r)
    r = cwdata.run_bin(["cert", "list", "--json"], ca.root,
                       env={"CERTWARD_DATA": ca.dir})
    assert r.rc == 0 and r.json == [], str(r)


# --- issuance ----------------------------------------------------------------

def test_web_server_issued_and_verified(ca):
    """A compliant P-256 web-server request is issued at once; the chain
    verifies with openssl and every extension is what the template says."""
    csr = csrgen.crypto_csr(
        ec_key(), cn="www.example.com",
        dns=("www.example.com", "API.Svc.Example.Internal"),
        ips=("10.1.2.3",),
        extensions=[(x509.UnrecognizedExtension(
            x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"),
            False)])
    o = ca.issue(csr)
    assert o["_run"].rc == 0
    serial = o["serial"]

    chain = ca.cert_pem(serial, "--chain")
    blocks = pem_blocks(chain)
    assert len(blocks) == 2, chain
    leaf = x509.load_pem_x509_certificate(blocks[0])
    assert x509.load_pem_x509_certificate(blocks[1]) == ca.issuing()
    assert format(leaf.serial_number, "x") == serial
    check_leaf(leaf, ca.issuing(),
               [("dns", "www.example.com"),
                ("dns", "api.svc.example.internal"), ("ip", "10.1.2.3")],
               cn="www.example.com")

    v = openssl_verify(ca, blocks[0], "-x509_strict", "-purpose", "sslserver")
    assert v.returncode == 0 and b": OK" in v.stdout, v

    # the other forms of cert get
    single = ca.cert_pem(serial)
    assert pem_blocks(single) == [blocks[0]]
    r = ca("cert", "get", serial, "--der", rc=0)
    assert x509.load_der_x509_certificate(r.stdout_bytes) == leaf
    out = os.path.join(ca.root, "got.pem")
    ca("cert", "get", serial, "--out", out, rc=0)
    assert load_cert(out) == leaf

    req = ca.request(o["id"])
    assert req["state"] == "issued" and req["serial"] == serial
    assert req["template"] == WS and req["service"] == "web"
    assert req["requester"] == "alice" and req["channel"] == "cli"
    assert req["origin"] == "human"
    issue_ev = [e for e in ca.events("cert.issue")
                if e["object"] == "cert:" + serial]
    assert len(issue_ev) == 1 and issue_ev[0]["actor"] == "alice"


def test_rsa_leaf_gets_key_encipherment(ca, keys):
    """An RSA-3072 key gets digitalSignature + keyEncipherment."""
    o = ca.issue(web_csr(keys.rsa(3072), dns=("rsa.svc.example.internal",)))
    leaf = ca.cert_x509(o["serial"])
    check_leaf(leaf, ca.issuing(), [("dns", "rsa.svc.example.internal")],
               rsa_key=True)
    v = openssl_verify(ca, ca.cert_pem(o["serial"]), "-x509_strict")
    assert v.returncode == 0, v


def test_workload_identity_has_empty_subject(ca):
    """workload-mtls: no CN rule, so an empty subject and a critical URI
    SAN; serverAuth+clientAuth; 24 hours."""
    uri = "spiffe://example.internal/ns/prod/sa/api"
    o = ca.issue(workload_csr(uri=uri), template=WL, service="api")
    leaf = ca.cert_x509(o["serial"])
    assert len(leaf.subject) == 0
    check_leaf(leaf, ca.issuing(), [("uri", uri)],
               eku=("serverAuth", "clientAuth"), days=1)
    v = openssl_verify(ca, ca.cert_pem(o["serial"]))
    assert v.returncode == 0, v


@pytest.mark.parametrize("alg", ["rsa:3072", "ed25519"])
def test_other_ca_algorithms_issue_and_sign_crls(data, alg):
    """An RSA or Ed25519 CA signs leaves and CRLs that openssl accepts."""
    data.init("--ca-alg", alg, "--base-url", BASE_URL)
    data.people()
    data.service("web")
    o = data.issue(web_csr())
    leaf = data.cert_x509(o["serial"])
    check_leaf(leaf, data.issuing(), [("dns", "www.example.com")])
    data("cert", "revoke", o["serial"], "--reason", "unspecified",
         as_="dave", rc=0)
    crl_path = os.path.join(data.root, "crl.pem")
    data("crl", "--out", crl_path, rc=0)
    v = openssl_verify(data, data.cert_pem(o["serial"]), "-crl_check",
                       "-CRLfile", crl_path)
    assert v.returncode != 0 and b"certificate revoked" in \
        v.stdout + v.stderr, v


def test_origin_and_role_to_submit(ca):
    """--origin automation is recorded on the request and its events; a
    user without the requester (or pki-admin) role cannot submit."""
    o = ca.issue(web_csr(), extra=("--origin", "automation"))
    assert ca.request(o["id"])["origin"] == "automation"
    ev = [e for e in ca.events() if e["object"] in (
        "request:%d" % o["id"], "cert:" + o["serial"])]
    assert ev and all(e["origin"] == "automation" for e in ev), ev
    before = ca.state_summary()
    r = ca("request", "submit", "--template", WS, "--service", "web",
           ca.csr_file(web_csr()), as_="bob")
    assert r.rc in (1, 2) and "requester" in r.text, str(r)
    assert ca.state_summary() == before
    # a pki-admin may submit
    ca.issue(web_csr(), as_="dave")


def test_bulk_submit_reports_each(ca):
    """Several CSRs in one call: a JSON array, one outcome each, exit 1
    because one was rejected; the others are issued."""
    good1 = ca.csr_file(web_csr(dns=("b1.svc.example.internal",)))
    bad = ca.csr_file(web_csr(dns=("b2.elsewhere.test",)))
    good2 = ca.csr_file(web_csr(dns=("b3.svc.example.internal",)))
    r = ca("request", "submit", "--template", WS, "--service", "web",
           good1, bad, good2, "--json", as_="alice", rc=1)
    out = r.json
    assert isinstance(out, list) and len(out) == 3, str(r)
    for o in out:
        cwdata.check_outcome(o, r)
    assert [o["state"] for o in out] == ["issued", "rejected", "issued"]
    assert "san.dns" in [v["rule"] for v in out[1]["violations"]]
    assert len({o["id"] for o in out}) == 3
    assert ca.serials() == {out[0]["serial"], out[2]["serial"]}


def test_import_ca_caps_validity(data):
    """--import-ca uses an existing issuing CA; a certificate never
    outlives its issuer (validity capped at the issuer's notAfter)."""
    root, issuing, ikey = cwdata.make_ca_pair(days_issuing=10)
    crt = data.file("imp.crt", cwdata.cert_pem(issuing))
    key = data.file("imp.key", cwdata.key_pem(ikey))
    rootf = data.file("imp-root.crt", cwdata.cert_pem(root))
    data.init("--import-ca", crt, key, "--base-url", BASE_URL)
    assert data.issuing() == issuing
    data.people()
    data.service("web")
    o = data.issue(web_csr())
    leaf = data.cert_x509(o["serial"])
    assert leaf.issuer == issuing.subject
    assert not_after(leaf) <= issuing.not_valid_after.replace(
        tzinfo=datetime.timezone.utc)
    assert not_after(leaf) >= NOW() + datetime.timedelta(days=9)
    leaff = data.file("imp-leaf.pem", data.cert_pem(o["serial"]))
    v = openssl("verify", "-CAfile", rootf, "-untrusted", crt, leaff)
    assert v.returncode == 0, v


# --- approvals ---------------------------------------------------------------

def test_two_approvals(ca):
    """code-signing needs two distinct approvers holding pki-admin or
    security-officer, never the requester; the second approval issues."""
    o = ca.submit(codesign_csr(), template=CS, rc=0)
    assert o["state"] == "pending" and not o.get("serial")
    rid = o["id"]
    show = ca.request(rid)
    assert show["approvals_required"] == 2
    assert show["approvals_missing"] == 2
    assert set(show["may_approve"]) == {"pki-admin", "security-officer"}

    r = ca("request", "approve", rid, "--json", as_="alice")
    assert r.rc == 1 and "requester" in r.text.lower(), str(r)
    r = ca("request", "approve", rid, "--json", as_="eve")
    assert r.rc == 1, str(r)
    assert ca.request(rid)["approvals"] == []

    a1 = ca.json("request", "approve", rid, "--comment", "looks right",
                 as_="bob")
    assert a1["state"] == "pending" and not a1.get("serial"), a1
    assert ca.request(rid)["approvals_missing"] == 1
    r = ca("request", "approve", rid, "--json", as_="bob")
    assert r.rc == 1, str(r)
    assert ca.request(rid)["approvals_missing"] == 1
    assert ca.serials() == set()

    a2 = ca.json("request", "approve", rid, as_="carol")
    assert a2["state"] == "issued", a2
    serial = a2["serial"]
    assert re.fullmatch(r"[0-9a-f]+", serial)
    show = ca.request(rid)
    assert show["state"] == "issued" and show["serial"] == serial
    assert show["approvals_missing"] == 0
    got = sorted((a["principal"], a["role"], a["decision"])
                 for a in show["approvals"])
    assert got == [("bob", "security-officer", "approve"),
                   ("carol", "security-officer", "approve")], show
    assert [a["comment"] for a in show["approvals"]
            if a["principal"] == "bob"] == ["looks right"]

    leaf = ca.cert_x509(serial)
    check_leaf(leaf, ca.issuing(), [], eku=("codeSigning",), days=365,
               cn="Alpha Release Signing")
    # approving an issued request is refused
    r = ca("request", "approve", rid, as_="dave")
    assert r.rc == 1, str(r)
    actions = [e["action"] for e in ca.events()
               if e["object"] == "request:%d" % rid]
    assert actions.count("request.approve") == 2, actions


def test_reject_request(ca):
    """A pki-admin rejects a pending request with a comment; it cannot be
    approved afterwards; reject needs a comment."""
    o = ca.submit(codesign_csr(cn="Beta Release Signing"), template=CS,
                  rc=0)
    r = ca("request", "reject", o["id"], as_="dave")
    assert r.rc == 2, "reject without --comment\n%s" % r
    x = ca.json("request", "reject", o["id"], "--comment", "not ours",
                as_="dave")
    assert x["state"] == "rejected"
    show = ca.request(o["id"])
    assert show["state"] == "rejected"
    assert [(a["principal"], a["decision"], a["comment"])
            for a in show["approvals"]] == [("dave", "reject", "not ours")]
    for who in ("bob", "carol"):
        r = ca("request", "approve", o["id"], as_=who)
        assert r.rc == 1, str(r)
    assert ca.serials() == set()


# --- stale owners ------------------------------------------------------------

def test_stale_owner_is_held_until_verified(data, example_policy):
    """A template whose owner.max_age (2s) has passed holds the request;
    a pki-admin may approve a held request; `service verify` re-checks the
    held ones and issues them."""
    with open(example_policy) as f:
        text = f.read()
    assert "max_age: 180d" in text
    policy = data.file("stale.yaml", text.replace("max_age: 180d",
                                                  "max_age: 2s", 1))
    data.init("--policy", policy, "--base-url", BASE_URL)
    data.people()
    data.service("web")
    o = data.issue(web_csr(dns=("fresh.svc.example.internal",)))
    time.sleep(3.2)

    svc = [s for s in data.json("service", "list") if s["name"] == "web"]
    assert svc and svc[0]["stale_for"] == [WS], svc
    assert svc[0]["owner"] == "team-web" and svc[0]["retired"] is False

    a = data.submit(web_csr(dns=("a.svc.example.internal",)), rc=0)
    b = data.submit(web_csr(dns=("b.svc.example.internal",)), rc=0)
    for x in (a, b):
        assert x["state"] == "held" and x["violations"] == [], x["_run"]
        assert "owner" in x["reason"].lower(), x["_run"]
    assert data.serials() == {o["serial"]}

    # a requester may not release it; a pki-admin may
    r = data("request", "approve", a["id"], as_="eve")
    assert r.rc == 1, str(r)
    x = data.json("request", "approve", a["id"], as_="dave")
    assert x["state"] == "issued" and x["serial"], x

    # a requester is not the owner; olive holds the team-web role
    r = data("service", "verify", "web", as_="alice")
    assert r.rc != 0, str(r)
    assert data.request(b["id"])["state"] == "held"
    data("service", "verify", "web", as_="olive", rc=0)
    show = data.request(b["id"])
    assert show["state"] == "issued" and show["serial"], show
    assert data.serials() == {o["serial"], x["serial"], show["serial"]}
    svc = [s for s in data.json("service", "list") if s["name"] == "web"]
    assert svc[0]["stale_for"] == [], svc
    assert any(e["action"] == "service.verify" and e["actor"] == "olive"
               for e in data.events())


# --- key reuse and renewal ---------------------------------------------------

def test_key_reuse_refused(ca):
    """A public key already in the inventory is refused for any
    service (key_reuse: deny)."""
    key = ec_key()
    first = ca.issue(web_csr(key, dns=("k1.svc.example.internal",)))
    again = ca.rejected(web_csr(key, dns=("k2.svc.example.internal",)),
                        "key.reuse")
    assert ca.request(again["id"])["state"] == "rejected"
    ca.rejected(web_csr(key, dns=("k3.svc.example.internal",)),
                "key.reuse", service="api")
    assert ca.serials() == {first["serial"]}


def test_renewal_supersedes(ca):
    """--renew with a new key issues and marks the old certificate
    superseded with renewed_by; renewing with the same (or an old) key is
    refused as key.reuse."""
    k1, k2 = ec_key(), ec_key()
    old = ca.issue(web_csr(k1, dns=("r.svc.example.internal",)))
    new = ca.issue(web_csr(k2, dns=("r.svc.example.internal",)),
                   extra=("--renew", old["serial"]))
    assert new["serial"] != old["serial"]
    rec = ca.cert(old["serial"])
    assert rec["status"] == "superseded", rec
    assert rec["renewed_by"] == new["serial"], rec
    assert ca.cert(new["serial"])["status"] == "valid"
    assert ca.serials("--status", "superseded") == {old["serial"]}
    assert ca.serials("--status", "valid") == {new["serial"]}
    assert any(e["action"] == "cert.supersede" and
               e["object"] == "cert:" + old["serial"] for e in ca.events())

    ca.rejected(web_csr(k2, dns=("r.svc.example.internal",)), "key.reuse",
                extra=("--renew", new["serial"]))
    ca.rejected(web_csr(k1, dns=("r.svc.example.internal",)), "key.reuse",
                extra=("--renew", new["serial"]))
    assert ca.cert(new["serial"])["status"] == "valid"


def test_renewal_of_other_service_or_unknown_serial(ca):
    """--renew of another service's certificate is rejected; of an
    unknown serial it is refused; nothing is issued."""
    web = ca.issue(web_csr(dns=("x.svc.example.internal",)))
    r = ca("request", "submit", "--template", WS, "--service", "api",
           ca.csr_file(web_csr(dns=("x.svc.example.internal",))),
           "--renew", web["serial"], "--json", as_="alice")
    assert r.rc == 1 and r.json["state"] == "rejected", str(r)
    r = ca("request", "submit", "--template", WS, "--service", "web",
           ca.csr_file(web_csr()), "--renew", "abcdef0123456789", "--json",
           as_="alice")
    assert r.rc in (1, 2), str(r)
    assert ca.serials() == {web["serial"]}
    assert ca.cert(web["serial"])["status"] == "valid"


# --- revocation and the CRL --------------------------------------------------

def test_revoke_and_crl(ca):
    """A revoked certificate is in the signed CRL with its reason and
    fails `openssl verify -crl_check`; an unrevoked one passes; revoking
    twice is refused; only a pki-admin revokes."""
    bad = ca.issue(web_csr(dns=("bad.svc.example.internal",)))
    good = ca.issue(web_csr(dns=("good.svc.example.internal",)))
    r = ca("cert", "revoke", bad["serial"], "--reason", "keyCompromise",
           as_="alice")
    assert r.rc != 0, str(r)
    assert ca.cert(bad["serial"])["status"] == "valid"
    ca("cert", "revoke", bad["serial"], "--reason", "keyCompromise",
       as_="dave", rc=0)
    rec = ca.cert(bad["serial"])
    assert rec["status"] == "revoked", rec
    assert reason_is(rec["revocation_reason"], "keyCompromise"), rec
    assert rec["revoked_at"], rec
    ca.fails(1, "cert", "revoke", bad["serial"], "--reason",
             "superseded", as_="dave")
    assert reason_is(ca.cert(bad["serial"])["revocation_reason"],
                     "keyCompromise")
    ca.fails(2, "cert", "revoke", good["serial"], "--reason",
             "noSuchReason", as_="dave")
    assert ca.cert(good["serial"])["status"] == "valid"

    crl_path = os.path.join(ca.root, "crl.pem")
    ca("crl", "--out", crl_path, rc=0)
    t = openssl("crl", "-in", crl_path, "-noout", "-text")
    assert t.returncode == 0, t
    text = t.stdout.decode()
    assert ("Serial Number: %s" % bad["serial"].upper().rjust(
        len(bad["serial"]) + len(bad["serial"]) % 2, "0")) in text, text
    assert "Key Compromise" in text, text
    assert good["serial"].upper() not in text

    with open(crl_path, "rb") as f:
        crl = x509.load_pem_x509_crl(f.read())
    issuing = ca.issuing()
    assert crl.issuer == issuing.subject
    assert crl.is_signature_valid(issuing.public_key())
    assert [c.serial_number for c in crl] == [int(bad["serial"], 16)]
    entry = crl.get_revoked_certificate_by_serial_number(
        int(bad["serial"], 16))
    assert entry.extensions.get_extension_for_class(
        x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise
    span = crl.next_update - crl.last_update
    assert abs(span.total_seconds() - 7 * DAY) <= 3600, span
    assert crl.extensions.get_extension_for_class(
        x509.AuthorityKeyIdentifier).value.key_identifier == \
        ext(issuing, x509.SubjectKeyIdentifier).value.digest
    n1 = crl.extensions.get_extension_for_class(x509.CRLNumber).value \
        .crl_number

    v = openssl_verify(ca, ca.cert_pem(bad["serial"]), "-crl_check",
                       "-CRLfile", crl_path)
    assert v.returncode != 0 and b"certificate revoked" in \
        v.stdout + v.stderr, v
    v = openssl_verify(ca, ca.cert_pem(good["serial"]), "-crl_check",
                       "-CRLfile", crl_path)
    assert v.returncode == 0, v

    # a second CRL (DER to stdout) has a larger number
    r = ca("crl", "--der", rc=0)
    crl2 = x509.load_der_x509_crl(r.stdout_bytes)
    assert crl2.is_signature_valid(issuing.public_key())
    assert crl2.extensions.get_extension_for_class(x509.CRLNumber).value \
        .crl_number > n1


# --- retirement --------------------------------------------------------------

def test_retire_revokes_everything(ca):
    """service retire revokes every valid certificate of the service with
    cessationOfOperation (earlier revocations keep their reason), leaves
    other services alone and refuses new requests."""
    w1 = ca.issue(web_csr(dns=("w1.svc.example.internal",)))
    w2 = ca.issue(web_csr(dns=("w2.svc.example.internal",)))
    w3 = ca.issue(web_csr(dns=("w3.svc.example.internal",)))
    a1 = ca.issue(web_csr(dns=("a1.svc.example.internal",)), service="api")
    ca("cert", "revoke", w3["serial"], "--reason", "keyCompromise",
       as_="dave", rc=0)
    r = ca("service", "retire", "web", as_="alice")
    assert r.rc != 0, str(r)
    assert ca.cert(w1["serial"])["status"] == "valid"
    ca("service", "retire", "web", as_="dave", rc=0)

    for s in (w1, w2):
        rec = ca.cert(s["serial"])
        assert rec["status"] == "revoked", rec
        assert reason_is(rec["revocation_reason"], "cessationOfOperation")
    assert reason_is(ca.cert(w3["serial"])["revocation_reason"],
                     "keyCompromise")
    assert ca.cert(a1["serial"])["status"] == "valid"
    assert ca.serials("--service", "web", "--status", "valid") == set()
    svc = {s["name"]: s for s in ca.json("service", "list")}
    assert svc["web"]["retired"] is True and svc["api"]["retired"] is False

    o = ca.rejected(web_csr(dns=("w4.svc.example.internal",)),
                    "service.retired")
    assert ca.request(o["id"])["state"] == "rejected"
    ca.rejected(web_csr(), "service.unknown", service="no-such-service")

    r = ca("crl", rc=0)
    crl = x509.load_pem_x509_crl(pem_blocks(r.stdout_bytes)[0])
    reasons = {format(c.serial_number, "x"): c.extensions
               .get_extension_for_class(x509.CRLReason).value.reason
               for c in crl}
    assert reasons == {
        w1["serial"]: x509.ReasonFlags.cessation_of_operation,
        w2["serial"]: x509.ReasonFlags.cessation_of_operation,
        w3["serial"]: x509.ReasonFlags.key_compromise}


# --- exceptions --------------------------------------------------------------

def exception_add(d, *args, as_="dave", rc=0):
    r = d("exception", "add", *args, "--json", as_=as_)
    if rc is not None:
        assert r.rc == rc, "expected exit %s\n%s" % (rc, r)
    if r.rc != 0:
        return r
    obj = r.json
    return obj["id"] if isinstance(obj, dict) else obj


def san_exc(until="30d", service="web", rule="san.dns"):
    return ("--template", WS, "--service", service, "--rule", rule,
            "--until", until, "--reason", "migration of legacy names")


def test_exception_waives_one_rule(ca):
    """An exception waives san.dns for one service until revoked; the
    issued request names it; other services are not covered."""
    outside = ("legacy.corp.test",)
    o = ca.rejected(web_csr(dns=outside), "san.dns")
    xid = exception_add(ca, *san_exc())
    assert isinstance(xid, int), xid

    o = ca.issue(web_csr(dns=outside))
    show = ca.request(o["id"])
    assert show["exceptions"] == [xid], show
    leaf = ca.cert_x509(o["serial"])
    assert ext(leaf, x509.SubjectAlternativeName).value \
        .get_values_for_type(x509.DNSName) == ["legacy.corp.test"]
    ca.rejected(web_csr(dns=outside), "san.dns", service="api")
    # a compliant request uses no exception
    plain = ca.issue(web_csr())
    assert ca.request(plain["id"])["exceptions"] == []

    listed = ca.json("exception", "list")
    mine = [x for x in listed if x["id"] == xid]
    assert mine and mine[0]["rule"] == "san.dns", listed
    assert mine[0]["service"] == "web" and mine[0]["template"] == WS

    r = ca("exception", "revoke", xid, as_="alice")
    assert r.rc != 0, str(r)
    ca("exception", "revoke", xid, as_="dave", rc=0)
    ca.rejected(web_csr(dns=outside), "san.dns")
    assert xid not in [x["id"] for x in ca.json("exception", "list")]
    assert xid in [x["id"] for x in ca.json("exception", "list", "--all")]
    actions = [e["action"] for e in ca.events()]
    assert "exception.add" in actions and "exception.revoke" in actions


def test_exception_refusals(ca):
    """Non-waivable rules, past or malformed dates and non-admins are
    refused; nothing is recorded."""
    before = ca.state_summary()
    for rule in ("pop", "key.weak", "extension.critical",
                 "extension.basic_constraints"):
        r = exception_add(ca, *san_exc(rule=rule), rc=2)
        assert r.text.strip(), str(r)
    for until in ("2020-01-01", "2001-02-03T04:05:06Z", "2024-13-45",
                  "tomorrow", "30x", "-5d", ""):
        exception_add(ca, *san_exc(until=until), rc=2)
    r = exception_add(ca, *san_exc(), as_="alice", rc=None)
    assert r.rc != 0, str(r)
    exception_add(ca, *san_exc(service="no-such-service"), rc=2)
    assert ca.state_summary() == before
    # an RFC 3339 time in the future is fine
    exception_add(ca, *san_exc(until="2099-01-01T00:00:00Z"))


def test_expired_exception_no_longer_applies(ca):
    """An exception whose --until has passed waives nothing."""
    t0 = time.monotonic()
    exception_add(ca, *san_exc(until="2s"))
    time.sleep(max(0.0, t0 + 3.2 - time.monotonic()))
    ca.rejected(web_csr(dns=("late.corp.test",)), "san.dns")


# --- bad input ---------------------------------------------------------------

def test_bad_input_is_exit_2_and_writes_nothing(ca):
    """Unreadable or malformed CSRs, unknown template/service/serial/id,
    malformed dates and durations: exit 2, a message, no state change."""
    before = ca.state_summary()
    good = ca.csr_file(web_csr())
    garbage = ca.file("garbage.csr", b"-----BEGIN CERTIFICATE REQUEST-----\n"
                      b"AAAA\n-----END CERTIFICATE REQUEST-----\n")
    cases = [
        ("request", "submit", "--template", WS, "--service", "web",
         os.path.join(ca.root, "missing.csr"), "--as", "alice"),
        ("request", "submit", "--template", WS, "--service", "web",
         garbage, "--as", "alice"),
        ("request", "submit", "--template", WS, "--service", "web",
         ca.root, "--as", "alice"),
        ("request", "submit", "--template", "no-such-template",
         "--service", "web", good, "--as", "alice"),
        ("request", "submit", "--template", WS, "--service", "web", good,
         "--origin", "martian", "--as", "alice"),
        ("service", "verify", "no-such-service", "--as", "dave"),
        ("service", "retire", "no-such-service", "--as", "dave"),
        ("cert", "list", "--expiring", "soon"),
        ("cert", "list", "--expiring", "30x"),
        ("cert", "list", "--expiring", "-3d"),
        ("cert", "list", "--status", "sleepy"),
        ("cert", "show", "abcdef0123456789"),
        ("cert", "get", "abcdef0123456789"),
        ("cert", "revoke", "abcdef0123456789", "--reason",
         "keyCompromise", "--as", "dave"),
        ("request", "show", "99999"),
        ("request", "show", "12abc"),
        ("request", "approve", "99999", "--as", "bob"),
        ("exception", "revoke", "99999", "--as", "dave"),
        ("audit", "log", "--since", "yesterday-ish"),
        ("user", "add", "frank", "--role", "requester", "--as", "nobody"),
    ]
    for args in cases:
        r = ca(*args)
        assert r.rc == 2, "expected exit 2\n%s" % r
        assert r.stderr.strip(), "no message on stderr\n%s" % r
        assert ca.state_summary() == before, "state changed by\n%s" % r


def test_damaged_config(ca):
    """Garbage in config.yaml: every command exits 2 naming the config,
    and nothing is written."""
    before = ca.state_summary()
    with open(ca.path("config.yaml"), "wb") as f:
        f.write(b"users: [\x00\xff\n  : : - {{{\n")
    for args, who in ((("request", "submit", "--template", WS, "--service",
                        "web", ca.csr_file(web_csr())), "alice"),
                      (("service", "add", "zzz", "--owner", "t",
                        "--contact", "c@example.test"), "dave"),
                      (("cert", "list"), None)):
        r = ca(*args, as_=who)
        assert r.rc == 2, str(r)
        assert "config" in r.stderr.lower(), str(r)
    assert ca.state_summary() == before


def test_not_initialised(data):
    """Commands on a directory that was never initialised exit 2."""
    for args in (("cert", "list"), ("audit", "verify"),
                 ("request", "submit", "--template", WS, "--service", "web",
                  data.csr_file(web_csr()))):
        r = data(*args)
        assert r.rc == 2 and r.stderr.strip(), str(r)
    assert not os.path.exists(data.dir), "created by a failed command"

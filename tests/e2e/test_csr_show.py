"""`certward csr show`: what a request contains, cross-checked field by field
with python cryptography (an independent parser)."""

import hashlib
import ipaddress
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

import csrgen
import der
from conftest import describe
from csrgen import crypto_csr, make_csr

SPIFFE = "spiffe://example.internal/ns/prod/sa/api"
KEYS = {"subject", "subject_fields", "sans", "key", "spki_sha256",
        "signature_algorithm", "signature_hash", "extensions", "pop"}


@pytest.fixture
def show(cw, write):
    """show(der_bytes or path, pem=True) -> (parsed JSON, process)."""
    def run(csr, pem=True):
        if isinstance(csr, bytes):
            path = write(csrgen.pem(csr) if pem else csr)
        else:
            path = csr
        r = cw("csr", "show", path, "--json")
        assert r.returncode == 0, describe(r)
        try:
            obj = json.loads(r.stdout)
        except ValueError as e:
            pytest.fail("not one JSON object: %s\n%s" % (e, describe(r)))
        assert isinstance(obj, dict)
        assert set(obj) >= KEYS, sorted(KEYS - set(obj))
        return obj
    return run


def spki_hash(csr_der):
    csr = x509.load_der_x509_csr(csr_der)
    spki = csr.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def norm_sans(sans):
    """[(type, value)] with IP values normalised for comparison."""
    out = []
    for s in sans:
        v = s["value"]
        if s["type"] == "ip":
            v = str(ipaddress.ip_address(v))
        out.append((s["type"], v))
    return sorted(out)


# Everything about an EC P-256 request with every SAN type.
def test_show_ec_full(keys, show):
    key = keys.ec("P-256")
    csr_der = crypto_csr(
        key, cn="www.example.com", o="Example Corp",
        dns=["www.example.com", "a.svc.example.internal"],
        ips=["10.1.2.3", "fd00::1"], uris=[SPIFFE], emails=["a@example.com"],
        extensions=[(x509.KeyUsage(True, False, False, False, False, False,
                                   False, False, False), True),
                    (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                     False)])
    o = show(csr_der)
    ref = x509.load_der_x509_csr(csr_der)

    assert o["spki_sha256"] == spki_hash(csr_der)
    assert o["key"]["algorithm"] == "ec"
    assert o["key"]["bits"] == 256
    assert o["key"]["curve"] == "P-256"
    assert o["signature_algorithm"] == "ecdsa-with-SHA256"
    assert o["signature_hash"] == "sha256"
    assert o["pop"] is True

    fields = [(f["oid"], f["value"]) for f in o["subject_fields"]]
    assert fields == [(a.oid.dotted_string, a.value) for a in ref.subject]
    assert all(isinstance(f["name"], str) and f["name"]
               for f in o["subject_fields"])
    assert "CN=www.example.com" in o["subject"]
    assert "O=Example Corp" in o["subject"]

    assert norm_sans(o["sans"]) == sorted([
        ("dns", "www.example.com"), ("dns", "a.svc.example.internal"),
        ("ip", "10.1.2.3"), ("ip", "fd00::1"), ("uri", SPIFFE),
        ("email", "a@example.com")])

    exts = {e["oid"]: e for e in o["extensions"]}
    assert set(exts) == {"2.5.29.17", "2.5.29.15", "2.5.29.37"}
    assert exts["2.5.29.15"]["critical"] is True
    assert exts["2.5.29.17"]["critical"] is False
    assert exts["2.5.29.37"]["critical"] is False
    assert all(isinstance(e["name"], str) for e in o["extensions"])


# SANs keep their order as requested.
def test_show_san_order(keys, show):
    names = ["z.example", "a.example", "m.example"]
    o = show(crypto_csr(keys.ec(), dns=names))
    assert [s["value"] for s in o["sans"]] == names
    assert [s["type"] for s in o["sans"]] == ["dns"] * 3


@pytest.mark.parametrize("curve,bits,h,sigalg", [
    ("P-384", 384, "sha384", "ecdsa-with-SHA384"),
    ("P-521", 521, "sha512", "ecdsa-with-SHA512"),
])
def test_show_other_curves(keys, show, curve, bits, h, sigalg):
    csr_der = crypto_csr(keys.ec(curve), dns=["www.example.com"],
                         hash_name=h)
    o = show(csr_der)
    assert o["key"] == {**o["key"], "algorithm": "ec", "bits": bits,
                        "curve": curve}
    assert o["signature_algorithm"] == sigalg
    assert o["signature_hash"] == h
    assert o["spki_sha256"] == spki_hash(csr_der)


# RSA made by openssl req.
def test_show_rsa_openssl(keys, show, tmp_path, write):
    key = keys.pem_file(keys.rsa(3072))
    pem = csrgen.openssl_req(str(tmp_path), key, "/CN=www.example.com",
                             ["subjectAltName=DNS:www.example.com"])
    csr_der = x509.load_pem_x509_csr(pem).public_bytes(
        serialization.Encoding.DER)
    o = show(write(pem))
    assert o["key"]["algorithm"] == "rsa"
    assert o["key"]["bits"] == 3072
    assert o["key"].get("curve") is None
    assert o["signature_algorithm"] == "sha256WithRSAEncryption"
    assert o["signature_hash"] == "sha256"
    assert o["spki_sha256"] == spki_hash(csr_der)
    assert o["pop"] is True


# Ed25519: no separate hash.
def test_show_ed25519(keys, show):
    csr_der = crypto_csr(keys.ed25519(), uris=[SPIFFE])
    o = show(csr_der)
    assert o["key"]["algorithm"] == "ed25519"
    assert o["key"].get("curve") is None
    assert o["signature_hash"] is None
    assert o["spki_sha256"] == spki_hash(csr_der)
    assert o["subject_fields"] == []
    assert o["pop"] is True


# RSA-PSS signature: the hash comes from the PSS parameters.
def test_show_rsa_pss_signature(keys, show, tmp_path, write):
    key = keys.pem_file(keys.rsa(3072))
    pem = csrgen.openssl_req(str(tmp_path), key, "/CN=x", sigopts=[
        "rsa_padding_mode:pss", "rsa_pss_saltlen:32"], digest="sha384")
    o = show(write(pem))
    assert o["key"]["algorithm"] == "rsa"
    assert o["signature_hash"] == "sha384"
    assert o["pop"] is True


# A request whose signature does not verify is shown with pop false.
def test_show_bad_signature(keys, show):
    good = crypto_csr(keys.ec(), dns=["www.example.com"])
    bad = bytearray(good)
    bad[-5] ^= 0x01
    o = show(bytes(bad))
    assert o["pop"] is False
    assert o["spki_sha256"] == spki_hash(good)


# otherName and friends are type "other"; DER input works.
def test_show_other_san_and_der(keys, show):
    o = show(make_csr(keys.ec(), sans=[
        der.gn_dns("www.example.com"),
        der.gn_other("1.3.6.1.4.1.311.20.2.3", der.utf8("admin@example.com")),
        der.gn_registered_id("1.2.3.4")]), pem=False)
    assert [s["type"] for s in o["sans"]] == ["dns", "other", "other"]


# Hostile bytes are still valid JSON (NUL, ESC, non-UTF-8 in IA5String).
def test_show_hostile_values_valid_json(keys, show):
    o = show(make_csr(keys.ec(), subject=[
        (der.OID_CN, der.utf8(b"www.example.com\x00.evil\x1b[2J"))],
        sans=[der.gn_dns(b"a\x00b\xff.example")]))
    assert len(o["sans"]) == 1 and o["sans"][0]["type"] == "dns"
    assert len(o["subject_fields"]) == 1


# Subject with a BMPString is decoded for display.
def test_show_bmp_subject(keys, show):
    o = show(make_csr(keys.ec(), subject=[(der.OID_CN, der.bmp("Zoë"))],
                      sans=[der.gn_dns("www.example.com")]))
    assert o["subject_fields"][0]["oid"] == "2.5.4.3"
    assert o["subject_fields"][0]["value"] == "Zoë"


# Human-readable output names the subject and SAN.
def test_show_text(keys, cw, write):
    path = write(csrgen.pem(crypto_csr(keys.ec(), cn="www.example.com",
                                       dns=["a.svc.example.internal"])))
    r = cw("csr", "show", path)
    assert r.returncode == 0, describe(r)
    assert "www.example.com" in r.stdout
    assert "a.svc.example.internal" in r.stdout


@pytest.mark.parametrize("data", [b"", b"garbage\n", b"\x30\x03\x02\x01"])
def test_show_input_errors(cw, write, data):
    r = cw("csr", "show", write(data), "--json")
    assert r.returncode == 2, describe(r)
    assert r.stderr.strip()


def test_show_nonexistent(cw, tmp_path):
    r = cw("csr", "show", str(tmp_path / "nope.csr"))
    assert r.returncode == 2, describe(r)


# show applies the same input rules as check: BER is not accepted.
def test_show_rejects_ber(keys, cw, write):
    info, alg, sig = csrgen.split_csr(crypto_csr(keys.ec(),
                                                 dns=["www.example.com"]))
    r = cw("csr", "show", write(der.ber_long_length(0x30, info + alg + sig)))
    assert r.returncode == 2, describe(r)

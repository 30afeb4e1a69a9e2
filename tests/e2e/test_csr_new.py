"""`certward csr new`: key generation and a CSR that is compliant by
construction, checked by the same evaluator, refused when it is not.
Every generated request is cross-checked with python cryptography and
openssl."""

import ipaddress
import json
import os
import stat
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from conftest import describe

WS = "web-server"
WL = "workload-mtls"
CS = "code-signing"
SPIFFE = "spiffe://example.internal/ns/prod/sa/api"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def new(cw, example_policy, tmp_path):
    """new(template, *args, key=..., out=..., env=None, preexec_fn=None)"""
    def run(template, *args, key=None, out=None, env=None, preexec_fn=None):
        key = key or str(tmp_path / "key.pem")
        out = out or str(tmp_path / "req.csr")
        return cw("csr", "new", "--policy", example_policy, "--template",
                  template, *args, "--key-out", key, "--out", out, env=env,
                  preexec_fn=preexec_fn)
    return run


def load_csr(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_csr(data)
    return x509.load_der_x509_csr(data)


def load_key(path, password=None):
    with open(path, "rb") as f:
        data = f.read()
    if data.lstrip().startswith(b"-----BEGIN"):
        return serialization.load_pem_private_key(data, password)
    return serialization.load_der_private_key(data, password)


def spki(pub):
    return pub.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def sans_of(csr):
    try:
        ext = csr.extensions.get_extension_for_class(
            x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return None
    return ext.value


def attrs(csr, oid):
    return [a.value for a in csr.subject.get_attributes_for_oid(oid)]


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def assert_generated(tmp_path, r, check_template, cw, example_policy,
                     password=None):
    """Common checks on a successful `csr new`: both files, mode 0600,
    a parseable self-signed CSR whose key is the key written, accepted by
    `csr check` and `openssl req -verify`.  Returns (csr, key)."""
    key_path = str(tmp_path / "key.pem")
    csr_path = str(tmp_path / "req.csr")
    assert r.returncode == 0, describe(r)
    assert os.path.isfile(key_path) and os.path.isfile(csr_path), describe(r)
    assert mode(key_path) == 0o600, oct(mode(key_path))
    csr = load_csr(csr_path)
    assert csr.is_signature_valid
    key = load_key(key_path, password)
    assert spki(key.public_key()) == spki(csr.public_key())
    c = cw("csr", "check", "--policy", example_policy, "--template",
           check_template, csr_path, "--json")
    assert c.returncode == 0, describe(c)
    assert json.loads(c.stdout)["compliant"] is True
    v = subprocess.run(["openssl", "req", "-verify", "-noout", "-in",
                        csr_path, "-inform",
                        "PEM" if open(csr_path, "rb").read().startswith(b"-")
                        else "DER"], capture_output=True)
    assert v.returncode == 0, v.stderr
    return csr, key


def assert_nothing_written(tmp_path, before):
    assert sorted(os.listdir(tmp_path)) == sorted(before), \
        sorted(set(os.listdir(tmp_path)) - set(before))


# ---- compliant generation, one per template ---------------------------------

# web-server defaults: EC P-256, O filled in from the template's value.
def test_new_web_server(new, tmp_path, cw, example_policy):
    r = new(WS, "--cn", "www.example.com", "--dns", "www.example.com",
            "--dns", "a.svc.example.internal")
    csr, key = assert_generated(tmp_path, r, WS, cw, example_policy)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    assert attrs(csr, NameOID.COMMON_NAME) == ["www.example.com"]
    assert attrs(csr, NameOID.ORGANIZATION_NAME) == ["Example Corp"]
    assert sorted(sans_of(csr).get_values_for_type(x509.DNSName)) == \
        ["a.svc.example.internal", "www.example.com"]
    assert isinstance(csr.signature_hash_algorithm, hashes.SHA256)


# IP SANs from --ip, IPv4 and IPv6.
def test_new_web_server_ips(new, tmp_path, cw, example_policy):
    r = new(WS, "--dns", "www.example.com", "--ip", "10.1.2.3", "--ip",
            "fd00::1")
    csr, _ = assert_generated(tmp_path, r, WS, cw, example_policy)
    assert set(sans_of(csr).get_values_for_type(x509.IPAddress)) == \
        {ipaddress.ip_address("10.1.2.3"), ipaddress.ip_address("fd00::1")}


# workload-mtls defaults: EC P-256, no subject, one URI SAN.
def test_new_workload(new, tmp_path, cw, example_policy):
    r = new(WL, "--uri", SPIFFE)
    csr, key = assert_generated(tmp_path, r, WL, cw, example_policy)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    assert len(csr.subject) == 0
    assert sans_of(csr).get_values_for_type(
        x509.UniformResourceIdentifier) == [SPIFFE]


# code-signing defaults: EC P-384 (the only curve), O filled in, a listed
# hash (sha384 or sha512), and no SAN (max: 0).
def test_new_code_signing(new, tmp_path, cw, example_policy):
    r = new(CS, "--cn", "Foo Release Signing")
    csr, key = assert_generated(tmp_path, r, CS, cw, example_policy)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp384r1"
    assert attrs(csr, NameOID.COMMON_NAME) == ["Foo Release Signing"]
    assert attrs(csr, NameOID.ORGANIZATION_NAME) == ["Example Corp"]
    assert sans_of(csr) is None
    assert isinstance(csr.signature_hash_algorithm,
                      (hashes.SHA384, hashes.SHA512))


# --key-alg choices the templates allow.
@pytest.mark.parametrize("template,alg,args", [
    (WS, "rsa:3072", ["--dns", "www.example.com"]),
    (WS, "ec:P-256", ["--dns", "www.example.com"]),
    (WS, "ec:P-384", ["--dns", "www.example.com"]),
    (WL, "ed25519", ["--uri", SPIFFE]),
    (WL, "ec:P-256", ["--uri", SPIFFE]),
    (CS, "rsa:3072", ["--cn", "Foo Release Signing"]),
])
def test_new_key_alg(new, tmp_path, cw, example_policy, template, alg, args):
    r = new(template, "--key-alg", alg, *args)
    csr, key = assert_generated(tmp_path, r, template, cw, example_policy)
    kind, _, param = alg.partition(":")
    if kind == "rsa":
        assert isinstance(key, rsa.RSAPrivateKey)
        assert key.key_size == int(param)
        assert key.public_key().public_numbers().e == 65537
    elif kind == "ec":
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        assert key.curve.name == {"P-256": "secp256r1",
                                  "P-384": "secp384r1"}[param]
    else:
        assert isinstance(key, ed25519.Ed25519PrivateKey)


# ---- refusals: exit 1, nothing written --------------------------------------

@pytest.mark.parametrize("template,args,rule,needle", [
    (WS, ["--dns", "bad.example.org"], "san.dns", "bad.example.org"),
    (WS, ["--dns", "www.example.com", "--ip", "11.0.0.1"], "san.ip",
     "11.0.0.1"),
    (WS, ["--dns", "www.example.com", "--email", "a@example.com"],
     "san.email", "a@example.com"),
    (WS, ["--cn", "api.svc.example.internal", "--dns", "www.example.com"],
     "subject.common_name", "api.svc.example.internal"),
    (WS, ["--dns", "www.example.com", "--key-alg", "ed25519"],
     "key.algorithm", "ed25519"),
    (WL, ["--uri", "spiffe://example.internal/ns/../sa/api"], "san.uri",
     "spiffe://example.internal/ns/../sa/api"),
    (WL, ["--uri", SPIFFE, "--key-alg", "ec:P-384"], "key.curve", "384"),
    (CS, ["--cn", "Foo Signing"], "subject.common_name", "Foo Signing"),
    (CS, [], "subject.common_name", "common"),
])
def test_new_refuses(new, tmp_path, template, args, rule, needle):
    before = os.listdir(tmp_path)
    r = new(template, *args)
    assert r.returncode == 1, describe(r)
    assert rule in r.stderr, describe(r)
    assert needle.lower() in r.stderr.lower(), describe(r)
    assert not os.path.exists(tmp_path / "key.pem")
    assert not os.path.exists(tmp_path / "req.csr")
    assert_nothing_written(tmp_path, before)


# ---- the key file -----------------------------------------------------------

# Mode 0600 even with a permissive umask.
def test_new_key_mode_under_umask_0(new, tmp_path, cw, example_policy):
    r = new(WS, "--dns", "www.example.com", preexec_fn=lambda: os.umask(0))
    assert_generated(tmp_path, r, WS, cw, example_policy)


# An existing key file is never overwritten without --force.
def test_new_no_overwrite(new, tmp_path):
    key = tmp_path / "key.pem"
    key.write_bytes(b"precious\n")
    r = new(WS, "--dns", "www.example.com")
    assert r.returncode == 2, describe(r)
    assert key.read_bytes() == b"precious\n"
    assert not os.path.exists(tmp_path / "req.csr")


# --force replaces it, and the new key is 0600 whatever the old mode.
def test_new_force_overwrites(new, tmp_path, cw, example_policy):
    key = tmp_path / "key.pem"
    key.write_bytes(b"old\n")
    os.chmod(key, 0o644)
    r = new(WS, "--dns", "www.example.com", "--force")
    assert_generated(tmp_path, r, WS, cw, example_policy)
    assert key.read_bytes() != b"old\n"


# A dangling symlink at the key path is not followed (the target would be
# created with our private key somewhere else).
def test_new_key_path_dangling_symlink(new, tmp_path):
    target = tmp_path / "elsewhere.pem"
    os.symlink(target, tmp_path / "key.pem")
    r = new(WS, "--dns", "www.example.com")
    assert r.returncode == 2, describe(r)
    assert not os.path.exists(target)


# A refused request does not touch an existing key even with --force.
def test_new_refusal_keeps_existing_key(new, tmp_path):
    key = tmp_path / "key.pem"
    key.write_bytes(b"precious\n")
    r = new(WS, "--dns", "bad.example.org", "--force")
    assert r.returncode == 1, describe(r)
    assert key.read_bytes() == b"precious\n"
    assert not os.path.exists(tmp_path / "req.csr")


# Unencrypted by default.
def test_new_key_unencrypted_by_default(new, tmp_path, cw, example_policy):
    r = new(WS, "--dns", "www.example.com")
    assert_generated(tmp_path, r, WS, cw, example_policy)
    assert b"ENCRYPTED" not in (tmp_path / "key.pem").read_bytes()


def openssl_pkey(key_path, passin):
    return subprocess.run(["openssl", "pkey", "-in", key_path, "-passin",
                           passin, "-pubout"], capture_output=True,
                          timeout=60)


def assert_aes256_pkcs8(key_path):
    data = open(key_path, "rb").read()
    assert b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in data, data[:80]
    a = subprocess.run(["openssl", "asn1parse", "-in", key_path],
                       capture_output=True, text=True)
    assert a.returncode == 0, a.stderr
    assert "aes-256" in a.stdout.lower(), a.stdout


# --pass-file: PKCS#8 with AES-256, opened by openssl and cryptography.
@pytest.mark.parametrize("content", [PASSPHRASE, PASSPHRASE + "\n"],
                         ids=["no-newline", "newline"])
def test_new_pass_file(new, tmp_path, cw, example_policy, content):
    pf = tmp_path / "pass.txt"
    pf.write_text(content)
    r = new(WS, "--dns", "www.example.com", "--pass-file", str(pf))
    key_path = str(tmp_path / "key.pem")
    csr, _ = assert_generated(tmp_path, r, WS, cw, example_policy,
                              password=PASSPHRASE.encode())
    assert_aes256_pkcs8(key_path)
    ok = openssl_pkey(key_path, "file:" + str(pf))
    assert ok.returncode == 0, ok.stderr
    pub = serialization.load_pem_public_key(ok.stdout)
    assert spki(pub) == spki(csr.public_key())
    bad = openssl_pkey(key_path, "pass:wrong-passphrase")
    assert bad.returncode != 0


# --pass-env: the same, passphrase from the environment.
def test_new_pass_env(new, tmp_path, cw, example_policy):
    env = {"CW_TEST_PASS": PASSPHRASE}
    r = new(WS, "--dns", "www.example.com", "--pass-env", "CW_TEST_PASS",
            env=env)
    key_path = str(tmp_path / "key.pem")
    assert_generated(tmp_path, r, WS, cw, example_policy,
                     password=PASSPHRASE.encode())
    assert_aes256_pkcs8(key_path)
    ok = subprocess.run(["openssl", "pkey", "-in", key_path, "-passin",
                         "env:CW_TEST_PASS", "-noout"], capture_output=True,
                        env=dict(os.environ, **env))
    assert ok.returncode == 0, ok.stderr


# The passphrase never appears in any output.
def test_new_passphrase_not_echoed(new, tmp_path):
    r = new(WS, "--dns", "www.example.com", "--pass-env", "CW_TEST_PASS",
            env={"CW_TEST_PASS": PASSPHRASE})
    assert r.returncode == 0, describe(r)
    assert PASSPHRASE not in r.stdout + r.stderr


# An unset --pass-env variable is a usage error, and nothing is written.
def test_new_pass_env_unset(new, tmp_path):
    assert "CW_TEST_UNSET_VAR" not in os.environ
    r = new(WS, "--dns", "www.example.com", "--pass-env",
            "CW_TEST_UNSET_VAR")
    assert r.returncode == 2, describe(r)
    assert not os.path.exists(tmp_path / "key.pem")


# ---- usage errors -----------------------------------------------------------

def test_new_unknown_template(new, tmp_path):
    r = new("no-such-template", "--dns", "www.example.com")
    assert r.returncode == 2, describe(r)
    assert not os.path.exists(tmp_path / "key.pem")


@pytest.mark.parametrize("alg", ["dsa", "ec:P-999", "rsa:abc", "ed25519:x",
                                 ""])
def test_new_bad_key_alg(new, tmp_path, alg):
    r = new(WS, "--dns", "www.example.com", "--key-alg", alg)
    assert r.returncode == 2, describe(r)
    assert not os.path.exists(tmp_path / "key.pem")


def test_new_missing_key_out(cw, example_policy, tmp_path):
    r = cw("csr", "new", "--policy", example_policy, "--template", WS,
           "--dns", "www.example.com", "--out", str(tmp_path / "req.csr"))
    assert r.returncode == 2, describe(r)
    assert not os.path.exists(tmp_path / "req.csr")


def test_new_bad_ip_text(new, tmp_path):
    r = new(WS, "--dns", "www.example.com", "--ip", "10.1.2")
    assert r.returncode == 2, describe(r)
    assert not os.path.exists(tmp_path / "key.pem")

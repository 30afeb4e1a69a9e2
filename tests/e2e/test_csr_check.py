"""`certward csr check` against the example policy (DESIGN 6, 6.1, 7).

Accept cases matter as much as reject cases: a gate that over-blocks gets
switched off.  Every reject asserts exit 1 and the rule id; `exact=True`
where the request is otherwise clean, so that spurious extra violations are
caught too.
"""

import ipaddress
import os
import socket

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

import csrgen
import der
from csrgen import crypto_csr, make_csr

WS = "web-server"
WL = "workload-mtls"
CS = "code-signing"

SPIFFE = "spiffe://example.internal/ns/prod/sa/api"


def cn_o(cn=None, o=None):
    """Subject pairs for make_csr, CN then O, UTF8String."""
    pairs = []
    if cn is not None:
        pairs.append((der.OID_CN, der.utf8(cn)))
    if o is not None:
        pairs.append((der.OID_O, der.utf8(o)))
    return pairs


def ku(*names, digital_signature=True, key_encipherment=False,
       key_cert_sign=False):
    return x509.KeyUsage(
        digital_signature=digital_signature, content_commitment=False,
        key_encipherment=key_encipherment, data_encipherment=False,
        key_agreement=False, key_cert_sign=key_cert_sign, crl_sign=False,
        encipher_only=False, decipher_only=False)


# ============================================================================
# ACCEPT: web-server
# ============================================================================

# P-256, CN equal to the only SAN, O fixed by the template.
def test_accept_ec_p256_exact_name(keys, accept):
    accept(crypto_csr(keys.ec("P-256"), cn="www.example.com",
                      o="Example Corp", dns=["www.example.com"]), WS)


# P-384 is the template's other curve.
def test_accept_ec_p384(keys, accept):
    accept(crypto_csr(keys.ec("P-384"), cn="www.example.com",
                      dns=["www.example.com"], hash_name="sha384"), WS)


# RSA at the minimum (3072) and the maximum (4096) size.
@pytest.mark.parametrize("bits", [3072, 4096])
def test_accept_rsa_sizes(keys, accept, bits):
    accept(crypto_csr(keys.rsa(bits), cn="www.example.com",
                      o="Example Corp", dns=["www.example.com"]), WS)


# No CN at all (common_name.required is false).
def test_accept_no_subject(keys, accept):
    accept(crypto_csr(keys.ec(), dns=["www.example.com"]), WS)


# An empty subject with O only.
def test_accept_organization_only(keys, accept):
    accept(crypto_csr(keys.ec(), o="Example Corp",
                      dns=["api.svc.example.internal"]), WS)


# `*.svc.example.internal` covers one extra leftmost label.
@pytest.mark.parametrize("name", ["a.svc.example.internal",
                                  "api-1.svc.example.internal",
                                  "0.svc.example.internal"])
def test_accept_one_label_pattern(keys, accept, name):
    accept(crypto_csr(keys.ec(), cn=name, dns=[name]), WS)


# `**.apps.example.internal` covers one or more extra labels.
@pytest.mark.parametrize("name", ["x.apps.example.internal",
                                  "a.b.apps.example.internal",
                                  "a.b.c.d.apps.example.internal"])
def test_accept_multi_label_pattern(keys, accept, name):
    accept(crypto_csr(keys.ec(), dns=[name]), WS)


# DNS names compare case-insensitively, also CN against SAN.
def test_accept_uppercase_names(keys, accept):
    accept(crypto_csr(keys.ec(), cn="WWW.Example.COM",
                      dns=["www.example.com", "A.SVC.EXAMPLE.INTERNAL",
                           "X.Y.Apps.Example.Internal"]), WS)


# IP SANs inside 10.0.0.0/8 and fd00::/8, edges included, IPv4-mapped.
def test_accept_ip_sans(keys, accept):
    accept(crypto_csr(keys.ec(), dns=["www.example.com"],
                      ips=["10.1.2.3", "10.0.0.0", "10.255.255.255",
                           "fd00::1",
                           "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                           "::ffff:10.1.2.3"]), WS)


# An IPv4-mapped address alone, hand-assembled (16 octets).
def test_accept_ipv4_mapped_alone(keys, accept):
    accept(make_csr(keys.ec(), sans=[der.gn_ip("::ffff:10.1.2.3")]), WS)


# An IP-literal CN is compared with the IP SANs.
def test_accept_ip_literal_cn(keys, accept):
    accept(crypto_csr(keys.ec(), cn="10.1.2.3", ips=["10.1.2.3"]), WS)


# Exactly `max` (10) SANs is allowed.
def test_accept_ten_sans(keys, accept):
    names = ["n%d.svc.example.internal" % i for i in range(10)]
    accept(crypto_csr(keys.ec(), dns=names), WS)


# Every hash the template lists is accepted with ECDSA.
@pytest.mark.parametrize("h", ["sha256", "sha384", "sha512"])
def test_accept_listed_hashes(keys, accept, h):
    accept(crypto_csr(keys.ec(), dns=["www.example.com"], hash_name=h), WS)


# Requested extensions that fit the template are fine.
def test_accept_fitting_extensions_ec(keys, accept):
    accept(crypto_csr(keys.ec(), cn="www.example.com", dns=["www.example.com"],
                      extensions=[
                          (ku(), True),
                          (x509.ExtendedKeyUsage(
                              [ExtendedKeyUsageOID.SERVER_AUTH]), False),
                          (x509.BasicConstraints(ca=False, path_length=None),
                           True)]), WS)


# keyEncipherment is fine with an RSA key.
def test_accept_key_encipherment_rsa(keys, accept):
    accept(crypto_csr(keys.rsa(3072), dns=["www.example.com"],
                      extensions=[(ku(key_encipherment=True), True)]), WS)


# Unknown non-critical extensions are ignored, not refused.
def test_accept_unknown_noncritical_extension(keys, accept):
    accept(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")],
                    exts=[der.extension("1.3.6.1.4.1.55555.1.1",
                                        der.utf8("hello"))]), WS)


# A valid IDNA 2008 A-label (bücher) is a valid DNS label.
def test_accept_valid_punycode(keys, accept):
    accept(make_csr(keys.ec(),
                    sans=[der.gn_dns("xn--bcher-kva.apps.example.internal")]),
           WS)


# Labels of 63 octets and a name of exactly 253 octets are valid.
def test_accept_length_limits(keys, accept):
    name = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 39,
                     "apps.example.internal"])
    assert len(name) == 253
    accept(make_csr(keys.ec(), sans=[der.gn_dns(name)]), WS)


# PrintableString values are allowed as well as UTF8String.
def test_accept_printable_string_subject(keys, accept):
    accept(make_csr(keys.ec(),
                    subject=[(der.OID_CN, der.printable("www.example.com")),
                             (der.OID_O, der.printable("Example Corp"))],
                    sans=[der.gn_dns("www.example.com")]), WS)


# Raw DER input is accepted as well as PEM.
def test_accept_der_input(keys, accept):
    accept(crypto_csr(keys.ec(), dns=["www.example.com"]), WS, pem=False)


# The legacy "NEW CERTIFICATE REQUEST" PEM label is accepted.
def test_accept_new_certificate_request_label(keys, accept, write):
    csr = crypto_csr(keys.ec(), dns=["www.example.com"])
    accept(write(csrgen.pem(csr, "NEW CERTIFICATE REQUEST")), WS)


# Text around the PEM block is allowed.
def test_accept_text_around_pem(keys, accept, write):
    csr = crypto_csr(keys.ec(), dns=["www.example.com"])
    accept(write(b"Certificate Request:\n    Data: ...\n" + csrgen.pem(csr)
                 + b"trailing words\n"), WS)


# ---- made by openssl req ----------------------------------------------------

# openssl req, P-256, -addext SAN, CN and O.
def test_accept_openssl_req_ec(keys, accept, write, tmp_path):
    key = keys.pem_file(keys.ec("P-256"))
    pem = csrgen.openssl_req(str(tmp_path), key,
                             "/CN=www.example.com/O=Example Corp",
                             ["subjectAltName=DNS:www.example.com,"
                              "IP:10.1.2.3"])
    accept(write(pem), WS)


# openssl req, RSA-3072 with key usage and EKU.
def test_accept_openssl_req_rsa(keys, accept, write, tmp_path):
    key = keys.pem_file(keys.rsa(3072))
    pem = csrgen.openssl_req(
        str(tmp_path), key, "/CN=a.svc.example.internal",
        ["subjectAltName=DNS:a.svc.example.internal",
         "keyUsage=critical,digitalSignature,keyEncipherment",
         "extendedKeyUsage=serverAuth"])
    accept(write(pem), WS)


# openssl req -text output (a text dump before the PEM block).
def test_accept_openssl_req_text(keys, accept, write, tmp_path):
    key = keys.pem_file(keys.ec("P-256"))
    pem = csrgen.openssl_req(str(tmp_path), key, "/CN=www.example.com",
                             ["subjectAltName=DNS:www.example.com"],
                             text=True)
    assert b"Certificate Request:" in pem
    accept(write(pem), WS)


# RSA-PSS signatures with an allowed hash are governed like PKCS#1 v1.5.
def test_accept_openssl_req_rsa_pss_signature(keys, accept, write, tmp_path):
    key = keys.pem_file(keys.rsa(3072))
    pem = csrgen.openssl_req(str(tmp_path), key, "/CN=www.example.com",
                             ["subjectAltName=DNS:www.example.com"],
                             sigopts=["rsa_padding_mode:pss",
                                      "rsa_pss_saltlen:32"])
    accept(write(pem), WS)


# ============================================================================
# ACCEPT: workload-mtls and code-signing
# ============================================================================

# Ed25519 with a SPIFFE id.
def test_accept_workload_ed25519(keys, accept):
    accept(crypto_csr(keys.ed25519(), uris=[SPIFFE]), WL)


# P-256 with a SPIFFE id, hand-assembled and via cryptography.
def test_accept_workload_p256(keys, accept):
    accept(crypto_csr(keys.ec("P-256"), uris=[SPIFFE]), WL)
    accept(make_csr(keys.ec("P-256"),
                    sans=[der.gn_uri("spiffe://example.internal/ns/a/sa/b")]),
           WL)


# Scheme and host compare case-insensitively.
def test_accept_workload_uri_case(keys, accept):
    accept(make_csr(keys.ed25519(), sans=[
        der.gn_uri("SPIFFE://Example.INTERNAL/ns/prod/sa/api")]), WL)


# openssl req with an Ed25519 key and a URI SAN.
def test_accept_workload_openssl_ed25519(accept, write, tmp_path):
    key = csrgen.openssl_genpkey(str(tmp_path / "ed.pem"), "-algorithm",
                                 "ed25519")
    pem = csrgen.openssl_req(str(tmp_path), key, "/", ["subjectAltName=URI:"
                                                       + SPIFFE], digest=None)
    accept(write(pem), WL)


# Code signing: CN matching "* Release Signing", O, P-384, sha384.
def test_accept_code_signing_p384(keys, accept):
    accept(crypto_csr(keys.ec("P-384"), cn="Foo Release Signing",
                      o="Example Corp", hash_name="sha384",
                      extensions=[(ku(), True), (x509.ExtendedKeyUsage(
                          [ExtendedKeyUsageOID.CODE_SIGNING]), False)]), CS)


# Code signing: RSA-3072 with sha512 (no max_bits given: default 8192).
def test_accept_code_signing_rsa(keys, accept):
    accept(crypto_csr(keys.rsa(4096), cn="Acme Tools Release Signing",
                      o="Example Corp", hash_name="sha512"), CS)


# Code signing made by openssl req.
def test_accept_code_signing_openssl(keys, accept, write, tmp_path):
    key = keys.pem_file(keys.ec("P-384"))
    pem = csrgen.openssl_req(str(tmp_path), key,
                             "/CN=Foo Release Signing/O=Example Corp",
                             ["extendedKeyUsage=codeSigning"],
                             digest="sha384")
    accept(write(pem), CS)


# ============================================================================
# REJECT: DNS names (web-server)
# ============================================================================

BAD_DNS = [
    # suffix tricks
    "www.example.com.evil.org",
    "evilsvc.example.internal",
    "example.com",
    "wwwexample.com",
    "xwww.example.com",
    "evil.org",
    # label boundaries
    "a.b.svc.example.internal",
    "svc.example.internal",
    "apps.example.internal",
    "x.svc.example.internal.evil.org",
    # syntax
    "www.example.com.",
    "a..svc.example.internal",
    ".www.example.com",
    "foo_bar.svc.example.internal",
    "-a.svc.example.internal",
    "a-.svc.example.internal",
    "a b.svc.example.internal",
    "a" * 64 + ".apps.example.internal",
    # not IDNA 2008 (U+1F4A9 is DISALLOWED)
    "xn--ls8h.apps.example.internal",
    "xn--.apps.example.internal",
]


# Each name is a san.dns violation and nothing else.
@pytest.mark.parametrize("name", BAD_DNS)
def test_reject_bad_dns(keys, reject, name):
    v = reject(make_csr(keys.ec(), sans=[der.gn_dns(name)]), WS, "san.dns",
               exact=True)
    if " " not in name:
        assert any(name in m for m in v.messages("san.dns")), str(v)


# 254 octets is one too many.
def test_reject_name_too_long(keys, reject):
    name = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 40,
                     "apps.example.internal"])
    assert len(name) == 254
    reject(make_csr(keys.ec(), sans=[der.gn_dns(name)]), WS, "san.dns",
           exact=True)


# Embedded NUL: "www.example.com\0.evil.org" must not match www.example.com.
def test_reject_nul_in_dns(keys, reject):
    reject(make_csr(keys.ec(),
                    sans=[der.gn_dns(b"www.example.com\x00.evil.org")]),
           WS, "san.dns", exact=True)


# Raw non-ASCII (UTF-8 bytes in the IA5String) is refused.
def test_reject_raw_non_ascii_dns(keys, reject):
    reject(make_csr(keys.ec(), sans=[
        der.gn_dns("bücher.apps.example.internal".encode())]),
        WS, "san.dns", exact=True)


# A requested wildcard is refused when wildcards: false.
def test_reject_wildcard_request(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("*.svc.example.internal")]),
           WS, "san.wildcard")


# A requested wildcard under a ** pattern too (wildcards: false).
def test_reject_wildcard_under_double_star(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("*.apps.example.internal")]),
           WS, "san.wildcard")


# A bad name among good ones: only the bad one is named, and every bad one.
def test_reject_reports_every_bad_name(keys, reject):
    v = reject(make_csr(keys.ec(), sans=[
        der.gn_dns("www.example.com"),
        der.gn_dns("one.evil.org"),
        der.gn_dns("a.svc.example.internal"),
        der.gn_dns("two.evil.org")]), WS, "san.dns", exact=True)
    msgs = v.messages("san.dns")
    assert len(msgs) == 2, str(v)
    assert any("one.evil.org" in m for m in msgs), str(v)
    assert any("two.evil.org" in m for m in msgs), str(v)
    assert not any("www.example.com" in m and "evil" not in m
                   for m in msgs), str(v)


# ============================================================================
# REJECT: IP addresses
# ============================================================================

@pytest.mark.parametrize("ip", ["11.0.0.1", "9.255.255.255", "127.0.0.1",
                                "::ffff:11.0.0.1", "2001:db8::1", "fc00::1",
                                "fe00::1", "::1", "::a01:203"])
def test_reject_ip_outside(keys, reject, ip):
    v = reject(make_csr(keys.ec(), sans=[der.gn_ip(ip)]), WS, "san.ip",
               exact=True)
    msg = " ".join(v.messages("san.ip"))
    shown = str(ipaddress.ip_address(ip))
    mapped = ipaddress.ip_address(ip)
    alts = {ip, shown}
    if ":" in ip:
        alts.add(socket.inet_ntop(socket.AF_INET6, mapped.packed))
    if getattr(mapped, "ipv4_mapped", None):
        alts.add(str(mapped.ipv4_mapped))
    assert any(a in msg for a in alts), str(v)


# A length-8 "address with mask" is malformed, as are other lengths.
@pytest.mark.parametrize("raw", [
    bytes([10, 0, 0, 0, 255, 0, 0, 0]),
    bytes([10, 1, 2]),
    bytes([10, 1, 2, 3, 4]),
    bytes(32),
    b"",
])
def test_reject_ip_bad_length(keys, reject, raw):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com"),
                                     der.gn_ip(raw)]),
           WS, "extension.malformed")


# ============================================================================
# REJECT: other SAN types
# ============================================================================

# web-server lists no URIs and no e-mail addresses.
def test_reject_uri_in_web_server(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com"),
                                     der.gn_uri("https://www.example.com/")]),
           WS, "san.uri", exact=True)


def test_reject_email_in_web_server(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com"),
                                     der.gn_email("admin@example.com")]),
           WS, "san.email", exact=True)


# otherName (UPN), directoryName and registeredID are san.other.
@pytest.mark.parametrize("gn", [
    der.gn_other("1.3.6.1.4.1.311.20.2.3", der.utf8("admin@example.com")),
    der.gn_dirname(der.simple_name([(der.OID_CN, der.utf8("x"))])),
    der.gn_registered_id("1.2.3.4"),
], ids=["otherName", "dirName", "registeredID"])
def test_reject_other_san(keys, reject, gn):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com"), gn]),
           WS, "san.other", exact=True)


# Eleven SANs for max: 10.
def test_reject_too_many_sans(keys, reject):
    names = ["n%d.svc.example.internal" % i for i in range(11)]
    v = reject(crypto_csr(keys.ec(), dns=names), WS, "san.count", exact=True)
    msg = " ".join(v.messages("san.count"))
    assert "11" in msg and "10" in msg, str(v)


# san.required: true and no SAN extension.
def test_reject_no_san(keys, reject):
    reject(make_csr(keys.ec()), WS, "san.required", exact=True)


# A SAN extension with no names is malformed.
def test_reject_empty_san_extension(keys, reject):
    reject(make_csr(keys.ec(), sans=[]), WS, "extension.malformed")


# A SAN extension whose value does not decode is malformed.
def test_reject_undecodable_san(keys, reject):
    reject(make_csr(keys.ec(), exts=[der.extension(der.OID_SAN,
                                                   b"\x30\x05\x82\x01")]),
           WS, "extension.malformed")


# ============================================================================
# REJECT: URIs (workload-mtls)
# ============================================================================

BAD_URIS = [
    "spiffe://example.internal/ns/../sa/api",
    "spiffe://example.internal/ns/./sa/api",
    "spiffe://example.internal/ns/prod/sa/..",
    "spiffe://user@example.internal/ns/prod/sa/api",
    "spiffe://example.internal/ns/prod/sa/api?x=1",
    "spiffe://example.internal/ns/prod/sa/api#frag",
    "spiffe://example.internal:8443/ns/prod/sa/api",
    "spiffe://example.internal/ns/prod/sa/api/extra",
    "spiffe://example.internal/ns/prod/sa/api/",
    "spiffe://example.internal/ns//sa/api",
    "spiffe://example.internal/ns/pr%2Fod/sa/api",
    "spiffe://example.internal/ns/*/sa/api",
    "spiffe://example.internal.evil.org/ns/prod/sa/api",
    "spiffe://evil.example.internal/ns/prod/sa/api",
    "spiffe://[fd00::1]/ns/prod/sa/api",
    "https://example.internal/ns/prod/sa/api",
    "spiffe://example.internal/NS/prod/sa/api",
    "spiffe://example.internal/ns/prod/sa",
    "spiffe://example.internal/ns/prod/sa/api\x00.evil",
    "spiffe://example.internal/ns/a b/sa/api",
]


@pytest.mark.parametrize("uri", BAD_URIS)
def test_reject_bad_uri(keys, reject, uri):
    reject(make_csr(keys.ed25519(), sans=[der.gn_uri(uri.encode())]),
           WL, "san.uri", exact=True)


# workload-mtls has max: 1.
def test_reject_two_uris(keys, reject):
    reject(make_csr(keys.ed25519(), sans=[
        der.gn_uri(SPIFFE), der.gn_uri("spiffe://example.internal/ns/b/sa/c")
    ]), WL, "san.count", exact=True)


# workload-mtls has no dns list: DNS names are not allowed.
def test_reject_dns_in_workload(keys, reject):
    reject(make_csr(keys.ed25519(), sans=[der.gn_dns("www.example.com")]),
           WL, "san.dns")


# A CN in a template without a common_name rule is an other field.
def test_reject_cn_in_workload(keys, reject):
    reject(make_csr(keys.ed25519(), subject=cn_o(cn="api"),
                    sans=[der.gn_uri(SPIFFE)]),
           WL, "subject.other_fields", exact=True)


# P-384 is not among workload-mtls curves; RSA is not named at all.
def test_reject_workload_keys(keys, reject):
    reject(crypto_csr(keys.ec("P-384"), uris=[SPIFFE]), WL, "key.curve",
           exact=True)
    reject(crypto_csr(keys.rsa(3072), uris=[SPIFFE]), WL, "key.algorithm",
           exact=True)


# workload-mtls allows only sha256.
def test_reject_workload_sha384(keys, reject):
    reject(crypto_csr(keys.ec("P-256"), uris=[SPIFFE], hash_name="sha384"),
           WL, "signature.hash", exact=True)


# ============================================================================
# REJECT: keys and signatures (web-server)
# ============================================================================

def test_reject_rsa_2048(keys, reject):
    v = reject(crypto_csr(keys.rsa(2048), dns=["www.example.com"]), WS,
               "key.size", exact=True)
    msg = " ".join(v.messages("key.size"))
    assert "2048" in msg and "3072" in msg, str(v)


def test_reject_rsa_exponent_3(keys, reject):
    v = reject(crypto_csr(keys.rsa(3072, e=3), dns=["www.example.com"]), WS,
               "key.exponent", exact=True)
    assert "65537" in " ".join(v.messages("key.exponent")), str(v)


def test_reject_p521(keys, reject):
    v = reject(crypto_csr(keys.ec("P-521"), dns=["www.example.com"]), WS,
               "key.curve", exact=True)
    msg = " ".join(v.messages("key.curve"))
    assert "P-521" in msg or "secp521r1" in msg, str(v)


def test_reject_ed25519_web_server(keys, reject):
    reject(crypto_csr(keys.ed25519(), dns=["www.example.com"]), WS,
           "key.algorithm", exact=True)


# An id-RSASSA-PSS public key is not `rsa`.
def test_reject_rsa_pss_key(reject, write, tmp_path):
    key = csrgen.openssl_genpkey(str(tmp_path / "pss.pem"), "-algorithm",
                                 "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:3072")
    pem = csrgen.openssl_req(str(tmp_path), key, "/",
                             ["subjectAltName=DNS:www.example.com"])
    reject(write(pem), WS, "key.algorithm")


# Primes too close together: Fermat factors the modulus.
def test_reject_fermat_weak_key(keys, reject):
    reject(crypto_csr(keys.fermat_weak(), dns=["www.example.com"]), WS,
           "key.weak", exact=True)


# A modulus with a small prime factor (the signature cannot match).
def test_reject_small_factor_modulus(keys, reject):
    assert all(17989 % d for d in range(2, 135))  # 17989 is prime
    big = (1 << 3071) // 17989 + 1
    big |= 1
    n = 17989 * big
    assert n.bit_length() == 3072 and n % 2 == 1
    spki = der.seq(der.alg_id("1.2.840.113549.1.1.1", der.null()),
                   der.bit_string(der.seq(der.integer(n),
                                          der.integer(65537))))
    reject(make_csr(keys.rsa(3072), sans=[der.gn_dns("www.example.com")],
                    spki=spki), WS, "key.weak")


# An EC point off the curve is not a usable key: exit 1, never accepted.
def test_reject_point_off_curve(keys, check):
    spki = bytearray(csrgen.spki_der(keys.ec()))
    spki[-1] ^= 0x01
    v = check(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")],
                       spki=bytes(spki)), WS)
    assert v.rc == 1, str(v)
    assert {"key.weak", "key.algorithm"} & set(v.rules), str(v)


# A flipped signature bit fails proof of possession.
@pytest.mark.parametrize("kind", ["ec", "rsa", "ed25519"])
def test_reject_bad_signature(keys, reject, kind):
    key = {"ec": keys.ec(), "rsa": keys.rsa(3072),
           "ed25519": keys.ed25519()}[kind]
    tpl = WL if kind == "ed25519" else WS
    good = crypto_csr(key, uris=[SPIFFE]) if kind == "ed25519" else \
        crypto_csr(key, dns=["www.example.com"])
    bits = bytearray(good)
    bits[-5] ^= 0x01
    reject(bytes(bits), tpl, "pop", exact=True)


# Signed by a different key than the one in the request.
def test_reject_signed_by_other_key(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")],
                    sign_key=keys.ec(slot=1)), WS, "pop", exact=True)


# SHA-1 signatures (ECDSA via cryptography, RSA via openssl req -sha1).
def test_reject_sha1_ecdsa(keys, reject):
    reject(crypto_csr(keys.ec(), dns=["www.example.com"], hash_name="sha1"),
           WS, "signature.hash", exact=True)


def test_reject_sha1_rsa_openssl(keys, reject, write, tmp_path):
    key = keys.pem_file(keys.rsa(3072))
    pem = csrgen.openssl_req(str(tmp_path), key, "/CN=www.example.com",
                             ["subjectAltName=DNS:www.example.com"],
                             digest="sha1")
    reject(write(pem), WS, "signature.hash", exact=True)


# sha224 is not listed.
def test_reject_sha224(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")],
                    hash_name="sha224"), WS, "signature.hash", exact=True)


# ============================================================================
# REJECT: requested extensions
# ============================================================================

def test_reject_ca_true(keys, reject):
    reject(crypto_csr(keys.ec(), dns=["www.example.com"], extensions=[
        (x509.BasicConstraints(ca=True, path_length=None), True)]),
        WS, "extension.basic_constraints", exact=True)


def test_reject_path_length(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")],
                    exts=[der.extension(der.OID_BC, der.bc_value(True, 0),
                                        True)]),
           WS, "extension.basic_constraints", exact=True)


def test_reject_key_cert_sign(keys, reject):
    reject(crypto_csr(keys.ec(), dns=["www.example.com"], extensions=[
        (ku(key_cert_sign=True), True)]), WS, "extension.key_usage",
        exact=True)


def test_reject_key_encipherment_with_ec(keys, reject):
    reject(crypto_csr(keys.ec(), dns=["www.example.com"], extensions=[
        (ku(key_encipherment=True), True)]), WS, "extension.key_usage",
        exact=True)


def test_reject_key_encipherment_with_ed25519(keys, reject):
    reject(crypto_csr(keys.ed25519(), uris=[SPIFFE], extensions=[
        (ku(key_encipherment=True), True)]), WL, "extension.key_usage")


def test_reject_eku_code_signing_for_web_server(keys, reject):
    reject(crypto_csr(keys.ec(), dns=["www.example.com"], extensions=[
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False)]),
        WS, "extension.extended_key_usage", exact=True)


def test_reject_eku_server_auth_for_code_signing(keys, reject):
    reject(crypto_csr(keys.ec("P-384"), cn="Foo Release Signing",
                      o="Example Corp", hash_name="sha384", extensions=[
                          (x509.ExtendedKeyUsage(
                              [ExtendedKeyUsageOID.SERVER_AUTH]), False)]),
           CS, "extension.extended_key_usage", exact=True)


# Two SAN extensions in one extensionRequest.
def test_reject_two_san_extensions(keys, reject):
    reject(make_csr(keys.ec(), exts=[
        der.extension(der.OID_SAN, der.san_value(der.gn_dns(
            "www.example.com"))),
        der.extension(der.OID_SAN, der.san_value(der.gn_dns(
            "evil.org")))]), WS, "extension.duplicate")


# Two extensionRequest attributes, each with a SAN.
def test_reject_two_extension_requests(keys, reject):
    a1 = der.ext_request(der.extension(
        der.OID_SAN, der.san_value(der.gn_dns("www.example.com"))))
    a2 = der.ext_request(der.extension(
        der.OID_SAN, der.san_value(der.gn_dns("evil.org"))))
    reject(make_csr(keys.ec(), attrs=[a1, a2]), WS, "extension.duplicate")


# Two extensionRequest attributes, identical: still refused.
def test_reject_two_identical_extension_requests(keys, reject):
    a = der.ext_request(der.extension(
        der.OID_SAN, der.san_value(der.gn_dns("www.example.com"))))
    b = der.ext_request(
        der.extension(der.OID_SAN, der.san_value(der.gn_dns(
            "www.example.com"))),
        der.extension("1.3.6.1.4.1.55555.1.1", der.null()))
    reject(make_csr(keys.ec(), attrs=[a, b]), WS, "extension.duplicate")


# One extensionRequest attribute with two values in its SET.
def test_reject_extension_request_two_values(keys, check):
    e1 = der.extensions(der.extension(
        der.OID_SAN, der.san_value(der.gn_dns("www.example.com"))))
    e2 = der.extensions(der.extension(
        der.OID_SAN, der.san_value(der.gn_dns("evil.org"))))
    v = check(make_csr(keys.ec(), attrs=[der.attribute(der.OID_EXT_REQ,
                                                       e1, e2)]), WS)
    assert v.rc == 1, str(v)
    assert {"extension.duplicate", "extension.malformed"} & set(v.rules), \
        str(v)


# The same (non-SAN) extension twice.
def test_reject_key_usage_twice(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")], exts=[
        der.extension(der.OID_KU, der.ku_value("digitalSignature"), True),
        der.extension(der.OID_KU, der.ku_value("digitalSignature"), True)]),
        WS, "extension.duplicate")


def test_reject_unknown_critical_extension(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")], exts=[
        der.extension("1.3.6.1.4.1.55555.1.2", der.null(), critical=True)]),
        WS, "extension.critical", exact=True)


# Microsoft's certificate-extensions attribute is refused.
def test_reject_ms_extension_attribute(keys, reject):
    attrs = [
        der.ext_request(der.extension(der.OID_SAN, der.san_value(
            der.gn_dns("www.example.com")))),
        der.attribute(der.OID_MS_CERT_EXTENSIONS, der.extensions(
            der.extension(der.OID_BC, der.bc_value(True), True))),
    ]
    reject(make_csr(keys.ec(), attrs=attrs), WS, "extension.attribute")


# An attribute the implementation does not know is refused.
def test_reject_unknown_attribute(keys, reject):
    attrs = [
        der.ext_request(der.extension(der.OID_SAN, der.san_value(
            der.gn_dns("www.example.com")))),
        der.attribute("1.3.6.1.4.1.55555.9", der.utf8("x")),
    ]
    reject(make_csr(keys.ec(), attrs=attrs), WS, "extension.attribute",
           exact=True)


# A key usage value that does not decode is malformed.
def test_reject_undecodable_key_usage(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")], exts=[
        der.extension(der.OID_KU, b"\x04\x01\x00", True)]),
        WS, "extension.malformed")


# ============================================================================
# REJECT: subject
# ============================================================================

def test_reject_cn_not_in_san(keys, reject):
    reject(crypto_csr(keys.ec(), cn="api.svc.example.internal",
                      dns=["www.example.com"]), WS, "subject.common_name",
           exact=True)


def test_reject_organization_mismatch(keys, reject):
    v = reject(crypto_csr(keys.ec(), o="Evil Corp", dns=["www.example.com"]),
               WS, "subject.organization", exact=True)
    msg = " ".join(v.messages("subject.organization"))
    assert "Evil Corp" in msg and "Example Corp" in msg, str(v)


# `value:` compares byte-exactly: case differs.
def test_reject_organization_case(keys, reject):
    reject(crypto_csr(keys.ec(), o="example corp", dns=["www.example.com"]),
           WS, "subject.organization", exact=True)


def test_reject_ou_present(keys, reject):
    reject(crypto_csr(keys.ec(), ou="Ops", dns=["www.example.com"]), WS,
           "subject.other_fields", exact=True)


def test_reject_email_address_in_subject(keys, reject):
    reject(make_csr(keys.ec(), subject=[(der.OID_EMAIL,
                                         der.ia5("a@example.com"))],
                    sans=[der.gn_dns("www.example.com")]),
           WS, "subject.other_fields", exact=True)


@pytest.mark.parametrize("enc", ["bmp", "universal", "teletex"])
def test_reject_refused_string_types(keys, reject, enc):
    val = getattr(der, enc)("www.example.com")
    reject(make_csr(keys.ec(), subject=[(der.OID_CN, val)],
                    sans=[der.gn_dns("www.example.com")]),
           WS, "subject.encoding")


def test_reject_bmp_organization(keys, reject):
    reject(make_csr(keys.ec(), subject=[(der.OID_O, der.bmp("Example Corp"))],
                    sans=[der.gn_dns("www.example.com")]),
           WS, "subject.encoding")


# NUL inside the CN ("www.example.com\0.evil.org").
def test_reject_nul_in_cn(keys, reject):
    reject(make_csr(keys.ec(),
                    subject=[(der.OID_CN,
                              der.utf8(b"www.example.com\x00.evil.org"))],
                    sans=[der.gn_dns("www.example.com")]),
           WS, "subject.encoding")


@pytest.mark.parametrize("value", [" Example Corp", "Example Corp ",
                                   "Example\tCorp", "Example\x1b[31mCorp",
                                   "Example\x7fCorp"])
def test_reject_whitespace_and_control(keys, reject, value):
    reject(make_csr(keys.ec(), subject=[(der.OID_O, der.utf8(value))],
                    sans=[der.gn_dns("www.example.com")]),
           WS, "subject.encoding")


# The same attribute twice.
def test_reject_repeated_attribute(keys, reject):
    reject(make_csr(keys.ec(), subject=[
        (der.OID_CN, der.utf8("www.example.com")),
        (der.OID_CN, der.utf8("www.example.com"))],
        sans=[der.gn_dns("www.example.com")]), WS, "subject.shape")


# Two attributes in one RDN.
def test_reject_multi_valued_rdn(keys, reject):
    subject = der.name(der.rdn(der.attr_tv(der.OID_CN,
                                           der.utf8("www.example.com")),
                               der.attr_tv(der.OID_O,
                                           der.utf8("Example Corp"))))
    reject(make_csr(keys.ec(), subject=subject,
                    sans=[der.gn_dns("www.example.com")]),
           WS, "subject.shape")


# An RDN with no attribute at all (RDN is SET SIZE (1..MAX)): either not a
# PKCS#10 request at all (exit 2) or a subject.shape violation, never OK.
def test_reject_empty_rdn(keys, check):
    subject = der.name(der.set_of(),
                       der.rdn(der.attr_tv(der.OID_O,
                                           der.utf8("Example Corp"))))
    v = check(make_csr(keys.ec(), subject=subject,
                       sans=[der.gn_dns("www.example.com")]), WS)
    assert v.rc in (1, 2), str(v)
    if v.rc == 1:
        assert "subject.shape" in v.rules, str(v)


# ---- code-signing subject rules ---------------------------------------------

def cs_csr(keys, cn="Foo Release Signing", o="Example Corp", **kw):
    kw.setdefault("hash_name", "sha384")
    return crypto_csr(keys.ec("P-384"), cn=cn, o=o, **kw)


def test_reject_code_signing_without_cn(keys, reject):
    reject(cs_csr(keys, cn=None), CS, "subject.common_name", exact=True)


@pytest.mark.parametrize("cn", ["Foo Release Signing Key", "Foo",
                                "foo release signing", "Release Signing"])
def test_reject_code_signing_cn_pattern(keys, reject, cn):
    reject(cs_csr(keys, cn=cn), CS, "subject.common_name", exact=True)


def test_reject_code_signing_without_organization(keys, reject):
    reject(cs_csr(keys, o=None), CS, "subject.organization", exact=True)


def test_reject_code_signing_sha256(keys, reject):
    reject(cs_csr(keys, hash_name="sha256"), CS, "signature.hash",
           exact=True)


def test_reject_code_signing_p256(keys, reject):
    reject(crypto_csr(keys.ec("P-256"), cn="Foo Release Signing",
                      o="Example Corp", hash_name="sha384"),
           CS, "key.curve", exact=True)


def test_reject_code_signing_ed25519(keys, reject):
    reject(crypto_csr(keys.ed25519(), cn="Foo Release Signing",
                      o="Example Corp"), CS, "key.algorithm", exact=True)


# max: 0 and no dns list: a SAN breaks both rules.
def test_reject_code_signing_with_san(keys, reject):
    reject(cs_csr(keys, dns=["www.example.com"]), CS, "san.count", "san.dns",
           exact=True)


# ============================================================================
# Several violations at once: all are reported.
# ============================================================================

def test_reject_reports_all_violations(keys, reject):
    v = reject(crypto_csr(keys.rsa(2048), cn="www.example.com",
                          o="Evil Corp", ou="Ops",
                          dns=["www.example.com", "evil.org"],
                          ips=["11.0.0.1"], hash_name="sha1",
                          extensions=[(x509.BasicConstraints(
                              ca=True, path_length=None), True)]),
               WS, "key.size", "subject.organization", "subject.other_fields",
               "san.dns", "san.ip", "signature.hash",
               "extension.basic_constraints", exact=True)
    assert len(v.rules) == 7, str(v)


def test_reject_all_violations_hand_assembled(keys, reject):
    reject(make_csr(keys.ec("P-521"),
                    subject=[(der.OID_CN, der.bmp("x")),
                             (der.OID_OU, der.utf8("Ops"))],
                    sans=[der.gn_dns("*.svc.example.internal"),
                          der.gn_ip(bytes(8)),
                          der.gn_uri("https://x/")],
                    exts=[der.extension("1.3.6.1.4.1.55555.1.2", der.null(),
                                        critical=True)]),
           WS, "key.curve", "subject.encoding", "subject.other_fields",
           "san.wildcard", "extension.malformed", "san.uri",
           "extension.critical")


# ============================================================================
# Human-readable mode agrees with --json
# ============================================================================

@pytest.mark.parametrize("case", ["good", "bad"])
def test_human_output_same_verdict(keys, cw, write, example_policy, case):
    dns = "www.example.com" if case == "good" else "evil.org"
    path = write(csrgen.pem(crypto_csr(keys.ec(), dns=[dns])))
    r = cw("csr", "check", "--policy", example_policy, "--template", WS, path)
    assert r.returncode == (0 if case == "good" else 1), r
    if case == "bad":
        out = r.stdout + r.stderr
        assert "san.dns" in out and "evil.org" in out, out


# Hostile bytes are not echoed raw to a terminal (no NUL, no ESC).
def test_human_output_escapes_hostile_bytes(keys, cw, write, example_policy):
    csr = make_csr(keys.ec(),
                   subject=[(der.OID_O, der.utf8(b"Evil\x1b[2J\x00Corp"))],
                   sans=[der.gn_dns(b"a\x1b]0;x\x07\x00.evil.org")])
    path = write(csrgen.pem(csr))
    for extra in ([], ["--json"]):
        r = cw("csr", "check", "--policy", example_policy, "--template", WS,
               path, *extra)
        assert r.returncode == 1, r
        raw = r.stdout_bytes + r.stderr_bytes
        assert b"\x1b" not in raw and b"\x00" not in raw and \
            b"\x07" not in raw, raw


# ============================================================================
# INPUT ERRORS: exit 2
# ============================================================================

@pytest.fixture
def good_der(keys):
    return crypto_csr(keys.ec(), dns=["www.example.com"])


def test_input_empty_file(input_error):
    input_error(b"")


def test_input_garbage(input_error):
    input_error(b"this is not a certificate request\n")
    input_error(os.urandom(300))


def test_input_truncated_der(input_error, good_der):
    input_error(good_der[:-10])
    input_error(good_der[:40])


def test_input_der_trailing_byte(input_error, good_der):
    input_error(good_der + b"\x00")


def test_input_pem_of_der_with_trailing_byte(input_error, good_der):
    input_error(csrgen.pem(good_der + b"\x00"))


def test_input_trailing_element_in_sequence(input_error, good_der):
    info, alg, sig = csrgen.split_csr(good_der)
    input_error(der.seq(info, alg, sig, der.null()))


# BER long-form length on the outer SEQUENCE.
def test_input_ber_long_length_outer(input_error, good_der):
    info, alg, sig = csrgen.split_csr(good_der)
    input_error(der.ber_long_length(0x30, info + alg + sig))


# BER long-form length inside the signed part (signature still valid).
def test_input_ber_long_length_inside_info(keys, input_error):
    info = der.cri(der.name(), csrgen.spki_der(keys.ec()),
                   [der.ext_request(der.extension(der.OID_SAN, der.san_value(
                       der.gn_dns("www.example.com"))))],
                   version_der=b"\x02\x81\x01\x00")
    input_error(csrgen.resign(keys.ec(), info))


# Indefinite length.
def test_input_indefinite_length(input_error, good_der):
    info, alg, sig = csrgen.split_csr(good_der)
    input_error(der.ber_indefinite(0x30, info + alg + sig))


# Non-minimal INTEGER for the version.
def test_input_non_minimal_version(keys, input_error):
    input_error(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")],
                         version_der=b"\x02\x02\x00\x00"))


# critical FALSE spelled out (DER omits DEFAULT values).
def test_input_explicit_default_critical(keys, input_error):
    ext = der.seq(der.oid(der.OID_SAN), der.boolean(False),
                  der.octet_string(der.san_value(der.gn_dns(
                      "www.example.com"))))
    input_error(make_csr(keys.ec(), attrs=[der.ext_request(ext)]))


# BOOLEAN TRUE as 0x01 (DER requires 0xFF).
def test_input_ber_boolean(keys, input_error):
    ext = der.seq(der.oid(der.OID_KU), der.tlv(der.BOOLEAN, b"\x01"),
                  der.octet_string(der.ku_value("digitalSignature")))
    san = der.extension(der.OID_SAN, der.san_value(der.gn_dns(
        "www.example.com")))
    input_error(make_csr(keys.ec(), attrs=[der.ext_request(san, ext)]))


# Attributes SET in the wrong order.
def test_input_unsorted_attribute_set(keys, input_error):
    a = der.ext_request(der.extension(der.OID_SAN, der.san_value(
        der.gn_dns("www.example.com"))))
    b = der.attribute("1.3.6.1.4.1.55555.9", der.utf8("x"))
    attrs = sorted([a, b], reverse=True)
    input_error(make_csr(keys.ec(), attrs=attrs, sort_attrs=False))


# A multi-valued RDN whose SET is not sorted.
def test_input_unsorted_rdn_set(keys, input_error):
    atvs = sorted([der.attr_tv(der.OID_CN, der.utf8("www.example.com")),
                   der.attr_tv(der.OID_O, der.utf8("Example Corp"))],
                  reverse=True)
    subject = der.name(der.set_of(*atvs, sort=False))
    input_error(make_csr(keys.ec(), subject=subject,
                         sans=[der.gn_dns("www.example.com")]))


@pytest.mark.parametrize("version", [1, 2, -1])
def test_input_bad_version(keys, input_error, version):
    input_error(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")],
                         version=version))


def test_input_certificate_instead_of_csr(keys, input_error):
    cert_pem = csrgen.self_signed_cert_pem(keys.ec())
    input_error(cert_pem)
    from cryptography import x509 as _x
    from cryptography.hazmat.primitives import serialization
    cert_der = _x.load_pem_x509_certificate(cert_pem).public_bytes(
        serialization.Encoding.DER)
    input_error(cert_der)


# A CSR inside a block labelled CERTIFICATE is not a request block.
def test_input_csr_under_wrong_label(input_error, good_der):
    input_error(csrgen.pem(good_der, "CERTIFICATE"))


def test_input_two_csr_blocks(keys, input_error, good_der):
    other = crypto_csr(keys.ec(slot=1), dns=["www.example.com"])
    input_error(csrgen.pem(good_der) + csrgen.pem(other))
    input_error(csrgen.pem(good_der) + csrgen.pem(good_der))


def test_input_csr_and_certificate_blocks(keys, input_error, good_der):
    input_error(csrgen.pem(good_der) + csrgen.self_signed_cert_pem(keys.ec()))


def test_input_empty_pem_block(input_error):
    input_error(b"-----BEGIN CERTIFICATE REQUEST-----\n"
                b"-----END CERTIFICATE REQUEST-----\n")


def test_input_private_key_der(keys, input_error):
    from cryptography.hazmat.primitives import serialization
    input_error(keys.ec().private_bytes(serialization.Encoding.DER,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))


# More than 64 KiB of DER (a big, validly signed, unknown extension).
def test_input_der_over_64k(keys, input_error):
    csr = make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")],
                   exts=[der.extension("1.3.6.1.4.1.55555.1.1",
                                       der.octet_string(b"x" * 66000))])
    assert len(csr) > 65536
    input_error(csr)


# The 64 KiB bound on the input file: 65536 bytes pass, 65537 do not.
def test_input_size_boundary(check, input_error, write, good_der):
    body = csrgen.pem(good_der)

    def padded(total):
        pad = total - len(body)
        line = b"#" * 63 + b"\n"
        text = line * (pad // len(line))
        return text + b"#" * (pad - len(text) - 1) + b"\n" + body

    exact = padded(65536)
    assert len(exact) == 65536
    v = check(write(exact), WS)
    assert v.rc == 0, str(v)
    input_error(padded(65537))


def test_input_nonexistent_file(input_error, tmp_path):
    input_error(str(tmp_path / "does-not-exist.csr"), is_path=True)


def test_input_directory(input_error, tmp_path):
    input_error(str(tmp_path), is_path=True)


def test_input_unknown_template(cw, write, example_policy, good_der):
    r = cw("csr", "check", "--policy", example_policy, "--template",
           "no-such-template", write(csrgen.pem(good_der)), "--json")
    assert r.returncode == 2, r
    assert "no-such-template" in r.stderr, r


def test_input_bad_policy(cw, write, good_der):
    policy = write(b"version: 1\ntemplates:\n  - name: x\n    bogus: 1\n",
                   "bad.yaml")
    r = cw("csr", "check", "--policy", policy, "--template", "x",
           write(csrgen.pem(good_der)), "--json")
    assert r.returncode == 2, r
    assert "bad.yaml:4:" in r.stderr, r


def test_input_missing_policy(cw, write, tmp_path, good_der):
    r = cw("csr", "check", "--policy", str(tmp_path / "nope.yaml"),
           "--template", WS, write(csrgen.pem(good_der)))
    assert r.returncode == 2, r


# ============================================================================
# More adversarial requests
# ============================================================================

# Extensions only in Microsoft's attribute do not count as requested: the
# attribute is refused and the request has no SAN at all (OpenSSL's
# X509_REQ_get_extensions would read that attribute as an extension request).
def test_reject_san_only_in_ms_attribute(keys, reject):
    attrs = [der.attribute(der.OID_MS_CERT_EXTENSIONS, der.extensions(
        der.extension(der.OID_SAN, der.san_value(
            der.gn_dns("www.example.com")))))]
    reject(make_csr(keys.ec(), attrs=attrs), WS, "extension.attribute",
           "san.required")


# An IP-literal CN must match an IP SAN, not just look like one.
def test_reject_ip_cn_not_in_san(keys, reject):
    reject(crypto_csr(keys.ec(), cn="10.1.2.4", ips=["10.1.2.3"]), WS,
           "subject.common_name", exact=True)


# A CN with a trailing dot is not the SAN without one.
def test_reject_cn_trailing_dot(keys, reject):
    reject(crypto_csr(keys.ec(), cn="www.example.com.",
                      dns=["www.example.com"]), WS, "subject.common_name")


# An IPv6 literal CN equal to an IPv6 SAN.
def test_accept_ipv6_literal_cn(keys, accept):
    accept(crypto_csr(keys.ec(), cn="fd00::1", ips=["fd00::1"]), WS)


# A subject attribute OpenSSL does not know is an other field.
def test_reject_unknown_subject_attribute(keys, reject):
    reject(make_csr(keys.ec(), subject=[("1.3.6.1.4.1.55555.7",
                                         der.utf8("x"))],
                    sans=[der.gn_dns("www.example.com")]),
           WS, "subject.other_fields", exact=True)


# Ed448 is not named by web-server.
def test_reject_ed448(reject, write, tmp_path):
    key = csrgen.openssl_genpkey(str(tmp_path / "ed448.pem"), "-algorithm",
                                 "ed448")
    pem = csrgen.openssl_req(str(tmp_path), key, "/",
                             ["subjectAltName=DNS:www.example.com"],
                             digest=None)
    reject(write(pem), WS, "key.algorithm", exact=True)


# EC key with explicit curve parameters (the CVE-2020-0601 shape): never
# accepted as P-256.
def test_reject_explicit_ec_parameters(check, write, tmp_path):
    key = str(tmp_path / "explicit.pem")
    import subprocess
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1",
                    "-param_enc", "explicit", "-genkey", "-noout", "-out",
                    key], check=True, capture_output=True)
    pem = csrgen.openssl_req(str(tmp_path), key, "/",
                             ["subjectAltName=DNS:www.example.com"])
    v = check(write(pem), WS)
    assert v.rc == 1, str(v)
    assert {"key.curve", "key.algorithm", "key.weak"} & set(v.rules), str(v)


def relabel(csr_der, alg_der):
    """The same request and signature value under another algorithm id."""
    info, _, sig = csrgen.split_csr(csr_der)
    return der.seq(info, alg_der, sig)


# An ECDSA signature labelled as sha256WithRSAEncryption: the signature
# algorithm does not fit the key, so there is no proof of possession
# (`openssl req -verify` says "wrong public key type").
def test_reject_signature_labelled_rsa_on_ec_key(keys, reject):
    good = make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")])
    reject(relabel(good, der.alg_id(csrgen.RSA_SIG_OIDS["sha256"],
                                    der.null())), WS, "pop")


# An ECDSA signature labelled Ed25519 ("no separate hash").
def test_reject_signature_labelled_ed25519_on_ec_key(keys, reject):
    good = make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")])
    reject(relabel(good, der.alg_id(csrgen.OID_ED25519)), WS, "pop")


# The same trick must not bypass signature_hashes: code-signing allows only
# sha384/sha512; an ECDSA-SHA256 signature relabelled as Ed25519 (which has
# no hash rule) must still be refused.
def test_reject_ed25519_label_hash_bypass(keys, reject):
    good = crypto_csr(keys.ec("P-384"), cn="Foo Release Signing",
                      o="Example Corp", hash_name="sha256")
    v = reject(relabel(good, der.alg_id(csrgen.OID_ED25519)), CS)
    assert {"pop", "signature.hash"} & set(v.rules), str(v)


# An RSA signature labelled with the ECDSA algorithm of the same hash.
def test_reject_signature_labelled_ecdsa_on_rsa_key(keys, reject):
    good = crypto_csr(keys.rsa(3072), dns=["www.example.com"])
    reject(relabel(good, der.alg_id(csrgen.ECDSA_SIG_OIDS["sha256"])), WS,
           "pop")


# A signature algorithm nobody knows.
def test_reject_unknown_signature_algorithm(keys, check):
    good = make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")])
    v = check(relabel(good, der.alg_id("1.3.6.1.4.1.55555.3")), WS)
    assert v.rc == 1, str(v)
    assert "pop" in v.rules or "signature.hash" in v.rules, str(v)


# CRLF line endings (Windows tools) are still one PEM block.
def test_accept_crlf_pem(keys, accept, write):
    pem = csrgen.pem(crypto_csr(keys.ec(), dns=["www.example.com"]))
    accept(write(pem.replace(b"\n", b"\r\n")), WS)


# A thousand bad names: still one well-formed JSON verdict, exit 1.
def test_reject_many_bad_sans(keys, reject):
    names = [der.gn_dns("h%d.evil.org" % i) for i in range(1000)]
    v = reject(make_csr(keys.ec(), sans=names), WS, "san.count", "san.dns")
    assert len(v.rules) >= 2, str(v)


# `*` anywhere but as the whole leftmost label is an invalid name.
@pytest.mark.parametrize("name", ["a.*.svc.example.internal",
                                  "*a.svc.example.internal",
                                  "a*.svc.example.internal",
                                  "*.*.apps.example.internal"])
def test_reject_misplaced_star(keys, reject, name):
    v = reject(make_csr(keys.ec(), sans=[der.gn_dns(name)]), WS)
    assert {"san.dns", "san.wildcard"} & set(v.rules), str(v)


# Empty names are invalid names.
def test_reject_empty_names(keys, reject):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("")]), WS, "san.dns",
           exact=True)
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com"),
                                     der.gn_uri("")]), WS, "san.uri",
           exact=True)


# Upper-case A-labels are the same A-labels.
def test_accept_uppercase_a_label(keys, accept):
    accept(make_csr(keys.ec(), sans=[
        der.gn_dns("XN--BCHER-KVA.apps.example.internal")]), WS)


# A SAN value with bytes after the GeneralNames, or in BER, is malformed
# (the extension's OCTET STRING is opaque to the outer DER check).
@pytest.mark.parametrize("value", [
    der.san_value(der.gn_dns("www.example.com")) + b"\x00",
    der.ber_long_length(0x30, der.gn_dns("www.example.com")),
], ids=["trailing-byte", "ber-length"])
def test_reject_san_value_not_der(keys, reject, value):
    reject(make_csr(keys.ec(), exts=[der.extension(der.OID_SAN, value)]), WS,
           "extension.malformed")


# anyExtendedKeyUsage and unknown EKU OIDs are outside the template.
@pytest.mark.parametrize("oids", [["2.5.29.37.0"],
                                  [der.OID_SERVER_AUTH,
                                   "1.3.6.1.4.1.55555.5"]])
def test_reject_eku_outside(keys, reject, oids):
    reject(make_csr(keys.ec(), sans=[der.gn_dns("www.example.com")],
                    exts=[der.extension(der.OID_EKU, der.eku_value(*oids))]),
           WS, "extension.extended_key_usage", exact=True)


# Known extensions marked critical are fine: a critical SAN (RFC 5280
# 4.2.1.6 with an empty subject), a critical EKU; a subject key identifier
# request is ignored.
def test_accept_known_critical_and_ignored_extensions(keys, accept):
    accept(make_csr(keys.ec(), exts=[
        der.extension(der.OID_SAN, der.san_value(
            der.gn_dns("www.example.com")), True),
        der.extension(der.OID_EKU, der.eku_value(der.OID_SERVER_AUTH), True),
        der.extension("2.5.29.14", der.octet_string(b"\x01" * 20))]), WS)


# Values a PrintableString may not hold, and invalid UTF-8.
@pytest.mark.parametrize("value", [der.printable("Example Corp@"),
                                   der.utf8(b"Example \xff Corp")],
                         ids=["printable", "utf8"])
def test_reject_bad_string_content(keys, reject, value):
    reject(make_csr(keys.ec(), subject=[(der.OID_O, value)],
                    sans=[der.gn_dns("www.example.com")]),
           WS, "subject.encoding")

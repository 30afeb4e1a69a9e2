"""CSR builders for the end-to-end tests.

Three independent ways to make a request, so that certward is never only
tested against one encoder:
  * `crypto_csr`: python cryptography's CertificateSigningRequestBuilder;
  * `make_csr`: hand-assembled DER (der.py) signed with a cryptography key,
    for everything a normal library refuses to produce (duplicates, NULs,
    odd string types, bad IP lengths, BER tricks, wrong versions);
  * `openssl_req`: the `openssl req` command line tool.
"""

import base64
import ipaddress
import os
import random
import subprocess

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, padding
from cryptography.x509.oid import NameOID

import der

HASHES = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

ECDSA_SIG_OIDS = {
    "sha1": "1.2.840.10045.4.1",
    "sha224": "1.2.840.10045.4.3.1",
    "sha256": "1.2.840.10045.4.3.2",
    "sha384": "1.2.840.10045.4.3.3",
    "sha512": "1.2.840.10045.4.3.4",
}

RSA_SIG_OIDS = {
    "sha1": "1.2.840.113549.1.1.5",
    "sha224": "1.2.840.113549.1.1.14",
    "sha256": "1.2.840.113549.1.1.11",
    "sha384": "1.2.840.113549.1.1.12",
    "sha512": "1.2.840.113549.1.1.13",
}

OID_ED25519 = "1.3.101.112"

CURVES = {
    "P-256": ec.SECP256R1,
    "P-384": ec.SECP384R1,
    "P-521": ec.SECP521R1,
}


# --- keys -------------------------------------------------------------------

def _is_probable_prime(n, rounds=24):
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d = n - 1
    s = 0
    while d % 2 == 0:
        d //= 2
        s += 1
    rnd = random.Random(n)
    for _ in range(rounds):
        a = rnd.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _next_prime(n):
    n |= 1
    while not _is_probable_prime(n):
        n += 2
    return n


def rsa_key_from_primes(p, q, e=65537):
    """A cryptography RSA private key built from two given primes."""
    n = p * q
    phi = (p - 1) * (q - 1)
    d = pow(e, -1, phi)
    pub = rsa.RSAPublicNumbers(e, n)
    priv = rsa.RSAPrivateNumbers(
        p=p, q=q, d=d,
        dmp1=d % (p - 1), dmq1=d % (q - 1),
        iqmp=pow(q, -1, p),
        public_numbers=pub)
    return priv.private_key()


def fermat_weak_rsa_key(bits=3072, seed=1):
    """RSA key whose primes are adjacent (|p - q| tiny): Fermat's method
    factors it in one round (the CVE-2022-26320 class of weakness)."""
    rnd = random.Random(seed)
    half = bits // 2
    while True:
        start = rnd.getrandbits(half) | (3 << (half - 2)) | 1
        p = _next_prime(start)
        q = _next_prime(p + 2)
        if (p * q).bit_length() == bits and \
                (p - 1) % 65537 and (q - 1) % 65537:
            return rsa_key_from_primes(p, q)


class Keys:
    """Session-wide cache of generated keys (RSA generation is slow)."""

    def __init__(self, workdir):
        self._cache = {}
        self._dir = workdir

    def ec(self, curve="P-256", slot=0):
        k = ("ec", curve, slot)
        if k not in self._cache:
            self._cache[k] = ec.generate_private_key(CURVES[curve]())
        return self._cache[k]

    def rsa(self, bits=3072, e=65537, slot=0):
        k = ("rsa", bits, e, slot)
        if k not in self._cache:
            try:
                key = rsa.generate_private_key(public_exponent=e,
                                               key_size=bits)
            except ValueError:
                key = self._openssl_rsa(bits, e)
            self._cache[k] = key
        return self._cache[k]

    def _openssl_rsa(self, bits, e):
        path = os.path.join(self._dir, "rsa-%d-%d.pem" % (bits, e))
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA",
                        "-pkeyopt", "rsa_keygen_bits:%d" % bits,
                        "-pkeyopt", "rsa_keygen_pubexp:%d" % e,
                        "-out", path], check=True, capture_output=True)
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), None)

    def ed25519(self, slot=0):
        k = ("ed25519", slot)
        if k not in self._cache:
            self._cache[k] = ed25519.Ed25519PrivateKey.generate()
        return self._cache[k]

    def fermat_weak(self):
        k = ("fermat",)
        if k not in self._cache:
            self._cache[k] = fermat_weak_rsa_key()
        return self._cache[k]

    def pem_file(self, key):
        """The key written as an unencrypted PKCS#8 PEM file (for openssl)."""
        path = os.path.join(self._dir, "key-%d.pem" % id(key))
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()))
        return path


def spki_der(key):
    pub = key.public_key() if hasattr(key, "public_key") else key
    return pub.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


# --- signing ----------------------------------------------------------------

def sign(key, data, hash_name="sha256"):
    """Returns (AlgorithmIdentifier DER, signature bytes) over data."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        sig = key.sign(data, ec.ECDSA(HASHES[hash_name]()))
        return der.alg_id(ECDSA_SIG_OIDS[hash_name]), sig
    if isinstance(key, rsa.RSAPrivateKey):
        sig = key.sign(data, padding.PKCS1v15(), HASHES[hash_name]())
        return der.alg_id(RSA_SIG_OIDS[hash_name], der.null()), sig
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return der.alg_id(OID_ED25519), key.sign(data)
    raise TypeError("unsupported key %r" % type(key))


# --- hand-assembled requests ------------------------------------------------

def make_csr(key, subject=None, sans=None, exts=(), attrs=None,
             hash_name="sha256", version=0, version_der=None, sign_key=None,
             spki=None, sort_attrs=True):
    """Hand-assembled PKCS#10 request, DER.

    subject: a Name DER, or [(oid, encoded string TLV)] one attribute per
      RDN; default the empty Name.
    sans: GeneralName DERs for one subjectAltName extension (None: no SAN).
    exts: further encoded Extension DERs (after the SAN).
    attrs: the complete list of encoded Attributes; by default one
      extensionRequest with the SAN and exts, or none if there are none.
    sign_key: a different key to sign with (breaks proof of possession).
    spki: SubjectPublicKeyInfo DER to put in place of key's.
    """
    if subject is None:
        subject_der = der.name()
    elif isinstance(subject, bytes):
        subject_der = subject
    else:
        subject_der = der.simple_name(subject)
    if attrs is None:
        all_exts = []
        if sans is not None:
            all_exts.append(der.extension(der.OID_SAN, der.san_value(*sans)))
        all_exts.extend(exts)
        attrs = [der.ext_request(*all_exts)] if all_exts else []
    info = der.cri(subject_der, spki if spki is not None else spki_der(key),
                   attrs, version=version, sort_attrs=sort_attrs,
                   version_der=version_der)
    alg, sig = sign(sign_key if sign_key is not None else key, info,
                    hash_name)
    return der.certification_request(info, alg, sig)


def resign(key, info_der, hash_name="sha256"):
    """Wraps an already-built CertificationRequestInfo (which may be BER)
    with a valid signature over exactly those bytes."""
    alg, sig = sign(key, info_der, hash_name)
    return der.certification_request(info_der, alg, sig)


def split_csr(csr_der):
    """(info, sig_alg, signature BIT STRING) TLVs of a request."""
    return der.children(csr_der)


def flip_signature_bit(csr_der):
    """The same request with one bit of the signature value flipped."""
    info, alg, bits = split_csr(csr_der)
    b = bytearray(bits)
    b[len(b) // 2] ^= 0x01
    return der.seq(info, alg, bytes(b))


# --- cryptography's builder -------------------------------------------------

def crypto_csr(key, cn=None, o=None, ou=None, dns=(), ips=(), uris=(),
               emails=(), hash_name="sha256", extensions=()):
    """A request made by python cryptography; returns DER.

    extensions: [(ExtensionType, critical)].
    """
    attrs = []
    if cn is not None:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    if o is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if ou is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    b = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs))
    names = [x509.DNSName(d) for d in dns]
    names += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    names += [x509.UniformResourceIdentifier(u) for u in uris]
    names += [x509.RFC822Name(e) for e in emails]
    if names:
        b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    for ext, critical in extensions:
        b = b.add_extension(ext, critical=critical)
    algo = None if isinstance(key, ed25519.Ed25519PrivateKey) \
        else HASHES[hash_name]()
    csr = b.sign(key, algo)
    return csr.public_bytes(serialization.Encoding.DER)


# --- openssl req ----------------------------------------------------------

OPENSSL_CNF = """\
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
"""


def openssl_req(workdir, key_path, subj, addext=(), digest="sha256",
                sigopts=(), text=False):
    """A request made by `openssl req`; returns the PEM output (bytes)."""
    cnf = os.path.join(workdir, "openssl-req.cnf")
    if not os.path.exists(cnf):
        with open(cnf, "w") as f:
            f.write(OPENSSL_CNF)
    cmd = ["openssl", "req", "-new", "-config", cnf, "-key", key_path,
           "-subj", subj]
    if digest:
        cmd.append("-" + digest)
    for e in addext:
        cmd += ["-addext", e]
    for s in sigopts:
        cmd += ["-sigopt", s]
    if text:
        cmd.append("-text")
    r = subprocess.run(cmd, capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("openssl req failed: %s" % r.stderr.decode())
    return r.stdout


def openssl_genpkey(path, *args):
    subprocess.run(["openssl", "genpkey", *args, "-out", path], check=True,
                   capture_output=True, timeout=120)
    return path


# --- encodings ----------------------------------------------------------

def pem(der_bytes, label="CERTIFICATE REQUEST"):
    b64 = base64.encodebytes(der_bytes).decode().replace("\n", "")
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return ("-----BEGIN %s-----\n%s\n-----END %s-----\n"
            % (label, "\n".join(lines), label)).encode()


def self_signed_cert_pem(key, cn="www.example.com"):
    import datetime
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime(2024, 1, 1)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)

"""A tiny DER encoder for hand-assembled (often adversarial) test inputs.

Everything returns bytes.  The helpers produce strict DER unless a function
says otherwise (the `ber_*` helpers and `set_of(..., sort=False)` exist to
build deliberately non-DER encodings).
"""

import ipaddress

# Universal tags
BOOLEAN = 0x01
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
TELETEX_STRING = 0x14
IA5_STRING = 0x16
UNIVERSAL_STRING = 0x1C
BMP_STRING = 0x1E
SEQUENCE = 0x30
SET = 0x31


def length(n):
    """Definite length octets, minimal form (X.690 8.1.3, 10.1)."""
    if n < 0:
        raise ValueError("negative length")
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, content):
    """One TLV with a single-octet tag and a minimal definite length."""
    return bytes([tag]) + length(len(content)) + content


def ber_long_length(tag, content, extra=1):
    """A TLV whose length uses the long form with `extra` more length octets
    than needed (never DER: X.690 10.1 requires the minimum)."""
    n = len(content)
    need = max(1, (n.bit_length() + 7) // 8)
    body = n.to_bytes(need + extra, "big")
    return bytes([tag, 0x80 | len(body)]) + body + content


def ber_indefinite(tag, content):
    """Constructed TLV with indefinite length (BER only)."""
    return bytes([tag, 0x80]) + content + b"\x00\x00"


def seq(*items):
    return tlv(SEQUENCE, b"".join(items))


def set_of(*items, sort=True):
    """SET / SET OF; DER sorts the encodings of the elements (X.690 11.6)."""
    items = list(items)
    if sort:
        items.sort()
    return tlv(SET, b"".join(items))


def integer(n):
    """Minimal two's complement INTEGER."""
    if n == 0:
        body = b"\x00"
    elif n > 0:
        body = n.to_bytes((n.bit_length() + 8) // 8, "big")
    else:
        nbytes = ((-n - 1).bit_length() + 8) // 8
        body = n.to_bytes(nbytes, "big", signed=True)
    return tlv(INTEGER, body)


def boolean(v):
    return tlv(BOOLEAN, b"\xff" if v else b"\x00")


def null():
    return b"\x05\x00"


def _base128(v):
    out = [v & 0x7F]
    v >>= 7
    while v:
        out.append(0x80 | (v & 0x7F))
        v >>= 7
    return bytes(reversed(out))


def oid(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    if len(arcs) < 2:
        raise ValueError("OID needs two arcs")
    body = _base128(arcs[0] * 40 + arcs[1])
    for a in arcs[2:]:
        body += _base128(a)
    return tlv(OID, body)


def octet_string(b):
    return tlv(OCTET_STRING, bytes(b))


def bit_string(b, unused=0):
    return tlv(BIT_STRING, bytes([unused]) + bytes(b))


def named_bits(*bits):
    """BIT STRING for a NamedBitList with trailing zero bits removed
    (X.690 11.2.2), as DER requires for KeyUsage."""
    if not bits:
        return bit_string(b"")
    top = max(bits)
    nbytes = top // 8 + 1
    val = bytearray(nbytes)
    for bit in bits:
        val[bit // 8] |= 0x80 >> (bit % 8)
    unused = 7 - (top % 8)
    return bit_string(bytes(val), unused)


def utf8(s):
    return tlv(UTF8_STRING, s.encode("utf-8") if isinstance(s, str) else s)


def printable(s):
    if isinstance(s, str):
        s = s.encode("ascii")
    return tlv(PRINTABLE_STRING, s)


def ia5(s):
    return tlv(IA5_STRING, s.encode("ascii") if isinstance(s, str) else s)


def bmp(s):
    return tlv(BMP_STRING, s.encode("utf-16-be"))


def universal(s):
    return tlv(UNIVERSAL_STRING, s.encode("utf-32-be"))


def teletex(s):
    if isinstance(s, str):
        s = s.encode("latin-1")
    return tlv(TELETEX_STRING, s)


def ctx(n, content, constructed=True):
    """Context-specific tag [n] (n < 31): 0xA0|n constructed, 0x80|n not."""
    if n >= 31:
        raise ValueError("high tag numbers not supported")
    return tlv((0xA0 if constructed else 0x80) | n, content)


# --- X.509 / PKCS#10 building blocks ---------------------------------------

OID_CN = "2.5.4.3"
OID_C = "2.5.4.6"
OID_O = "2.5.4.10"
OID_OU = "2.5.4.11"
OID_EMAIL = "1.2.840.113549.1.9.1"
OID_EXT_REQ = "1.2.840.113549.1.9.14"
OID_MS_CERT_EXTENSIONS = "1.3.6.1.4.1.311.2.1.14"
OID_SAN = "2.5.29.17"
OID_KU = "2.5.29.15"
OID_EKU = "2.5.29.37"
OID_BC = "2.5.29.19"
OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
OID_CODE_SIGNING = "1.3.6.1.5.5.7.3.3"


def attr_tv(attr_oid, value_tlv):
    """AttributeTypeAndValue; value_tlv is an already-encoded string."""
    return seq(oid(attr_oid), value_tlv)


def rdn(*atvs):
    return set_of(*atvs)


def name(*rdns):
    """Name ::= RDNSequence; each argument is an encoded RDN (SET)."""
    return seq(*rdns)


def simple_name(pairs):
    """Name from [(oid, encoded value)], one attribute per RDN, in order."""
    return name(*[rdn(attr_tv(o, v)) for o, v in pairs])


def extension(ext_oid, value_der, critical=False):
    parts = [oid(ext_oid)]
    if critical:
        parts.append(boolean(True))
    parts.append(octet_string(value_der))
    return seq(*parts)


def extensions(*exts):
    return seq(*exts)


def attribute(attr_oid, *values):
    return seq(oid(attr_oid), set_of(*values))


def ext_request(*exts):
    """PKCS#9 extensionRequest attribute holding the given extensions."""
    return attribute(OID_EXT_REQ, extensions(*exts))


# GeneralName choices (RFC 5280 4.2.1.6), implicitly tagged
def gn_dns(v):
    return ctx(2, v.encode("ascii") if isinstance(v, str) else v, False)


def gn_uri(v):
    return ctx(6, v.encode("ascii") if isinstance(v, str) else v, False)


def gn_email(v):
    return ctx(1, v.encode("ascii") if isinstance(v, str) else v, False)


def gn_ip(v):
    """IP SAN from text or from raw octets (any length, to build bad ones)."""
    if isinstance(v, str):
        v = ipaddress.ip_address(v).packed
    return ctx(7, v, False)


def gn_other(type_oid, value_tlv):
    # otherName: [0] IMPLICIT SEQUENCE { type-id, [0] EXPLICIT value }
    return ctx(0, oid(type_oid) + ctx(0, value_tlv))


def gn_dirname(name_der):
    # directoryName: [4] EXPLICIT Name (a CHOICE, so explicit)
    return ctx(4, name_der)


def gn_registered_id(dotted):
    return ctx(8, oid(dotted)[2:], False)


def san_value(*gns):
    return seq(*gns)


def bc_value(ca, pathlen=None):
    parts = []
    if ca:
        parts.append(boolean(True))
    if pathlen is not None:
        parts.append(integer(pathlen))
    return seq(*parts)


KU_BITS = {
    "digitalSignature": 0,
    "nonRepudiation": 1,
    "keyEncipherment": 2,
    "dataEncipherment": 3,
    "keyAgreement": 4,
    "keyCertSign": 5,
    "cRLSign": 6,
    "encipherOnly": 7,
    "decipherOnly": 8,
}


def ku_value(*names):
    return named_bits(*[KU_BITS[n] for n in names])


def eku_value(*oids):
    return seq(*[oid(o) for o in oids])


def alg_id(alg_oid, params=None):
    if params is None:
        return seq(oid(alg_oid))
    return seq(oid(alg_oid), params)


def cri(subject_der, spki_der, attributes=(), version=0, sort_attrs=True,
        version_der=None):
    """CertificationRequestInfo (RFC 2986 4.1)."""
    ver = version_der if version_der is not None else integer(version)
    return seq(ver, subject_der, spki_der,
               ctx(0, _set_body(attributes, sort_attrs)))


def _set_body(items, sort):
    items = list(items)
    if sort:
        items.sort()
    return b"".join(items)


def certification_request(info_der, sig_alg_der, signature):
    return seq(info_der, sig_alg_der, bit_string(signature))


# --- a minimal reader, enough to take CSRs apart in tests ------------------

def read_tlv(buf, pos=0):
    """Returns (tag, header_len, content_len) of the DER TLV at pos."""
    tag = buf[pos]
    first = buf[pos + 1]
    if first < 0x80:
        return tag, 2, first
    n = first & 0x7F
    clen = int.from_bytes(buf[pos + 2:pos + 2 + n], "big")
    return tag, 2 + n, clen


def children(buf, pos=0):
    """The child TLVs (as byte strings) of the constructed TLV at pos."""
    _, hl, cl = read_tlv(buf, pos)
    out = []
    p = pos + hl
    end = p + cl
    while p < end:
        _, h, c = read_tlv(buf, p)
        out.append(buf[p:p + h + c])
        p += h + c
    return out

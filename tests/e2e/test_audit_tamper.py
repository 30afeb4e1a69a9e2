"""The tamper-evident audit log (issue 3): the database is edited behind
certward's back with the `sqlite3` tool (a changed field, a deleted,
inserted or appended event, two events swapped, the tail dropped below a
checkpoint) and `audit verify` must fail naming the first bad event, while
an untouched copy verifies.  Also: signed checkpoints (checked here with
python cryptography) and offline inclusion proofs.

One log is built per module; every tamper test works on its own copy.
"""

import base64
import hashlib
import json
import os
import re
import struct
import subprocess

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

import cwdata
from cwdata import BASE_URL, CS, codesign_csr, web_csr


def sqlite(db, sql):
    """Runs SQL on db with the sqlite3 command line tool."""
    r = subprocess.run(["sqlite3", db], input=sql.encode(),
                       capture_output=True, timeout=60)
    assert r.returncode == 0 and not r.stderr, r
    return r.stdout.decode()


def first_event(text):
    """The first event number a verify message names."""
    m = re.search(r"\bevent (\d+)\b", text)
    return int(m.group(1)) if m else None


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    """A log with users, services, issuance, approvals, a revocation and
    an exception; a checkpoint (cp.txt) made by dave; then two more
    events-producing operations after the checkpoint."""
    d = cwdata.Data(tmp_path_factory.mktemp("audit"))
    d.init("--policy", cwdata.EXAMPLE_POLICY, "--base-url", BASE_URL)
    d.people()
    d("user", "add", "ida", "--role", "auditor", as_="dave", rc=0)
    d.service("web")
    d.service("api")
    d.serials_issued = []
    for i in range(4):
        o = d.issue(web_csr(dns=("t%d.svc.example.internal" % i,)))
        d.serials_issued.append(o["serial"])
    p = d.submit(codesign_csr(), template=CS, rc=0)
    d("request", "approve", p["id"], as_="bob", rc=0)
    o = d.json("request", "approve", p["id"], as_="carol")
    d.serials_issued.append(o["serial"])
    d("cert", "revoke", d.serials_issued[1], "--reason", "superseded",
      as_="dave", rc=0)
    d.before_cp = d.audit_count()
    d.cp = os.path.join(d.root, "cp.txt")
    d("audit", "checkpoint", "--out", d.cp, as_="dave", rc=0)
    with open(d.cp) as f:
        d.cp_text = f.read()
    m = re.search(r"^size (\d+)$", d.cp_text, re.M)
    assert m, d.cp_text
    d.n = int(m.group(1))
    # operations after the checkpoint
    d.late = d.issue(web_csr(dns=("late.svc.example.internal",)))["serial"]
    d.service("extra")
    d.total = d.audit_count()
    assert d.total > d.n >= d.before_cp
    d.n_copies = 0
    return d


def copy(log):
    log.n_copies += 1
    return log.copy("copy-%d" % log.n_copies)


def verify(d, *args, rc=None):
    return d("audit", "verify", *args, rc=rc)


def seq_of(d, action, nth=0):
    return [e["seq"] for e in d.events(action)][nth]


# --- an independent model of the log (audit.h, audit.c "version 1") ----------

EVENT_TAG = b"certward-audit-event-v1"


def leaf_hash(e):
    """leaf(e) = SHA256(0x00 || canonical(e)): tag, then every field as an
    8-byte big-endian length and its bytes (integers: 8-byte two's
    complement)."""
    h = hashlib.sha256(b"\x00" + EVENT_TAG)
    for v in (e["seq"], e["time"]):
        h.update(struct.pack(">Qq", 8, v))
    for f in ("actor", "origin", "channel", "action", "object", "details"):
        b = e[f].encode()
        h.update(struct.pack(">Q", len(b)) + b)
    return h.digest()


def mth(leaves):
    """RFC 9162 2.1.1 Merkle tree hash of a list of leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) +
                          mth(leaves[k:])).digest()


def verify_inclusion(leaf, index, size, path, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def rows_with_hashes(d):
    return d.db_rows("SELECT seq, time, actor, origin, channel, action, "
                     "object, details, prev, hash FROM audit ORDER BY seq")


def cp_fields(text):
    return dict(ln.split(" ", 1) for ln in text.splitlines()[1:])


# --- intact logs -------------------------------------------------------------

def test_untouched_log_verifies(log):
    """The log verifies with and without the checkpoint, in place and as
    a copy."""
    verify(log, rc=0)
    verify(log, "--checkpoint", log.cp, rc=0)
    c = copy(log)
    verify(c, "--checkpoint", log.cp, rc=0)
    verify(c, rc=0)
    r = c("audit", "verify", "--json", rc=0)
    assert isinstance(r.json, dict), str(r)


def test_checkpoint_text_and_signature(log):
    """The checkpoint has the documented lines and its Ed25519 signature
    verifies over the body with audit/audit.pub (python cryptography)."""
    lines = log.cp_text.splitlines(keepends=True)
    assert lines[0] == "certward-audit-checkpoint v1\n", lines
    keys = [ln.split(" ", 1)[0] for ln in lines]
    assert keys == ["certward-audit-checkpoint", "size", "head", "root",
                    "time", "signature"], lines
    assert re.fullmatch(r"head [0-9a-f]{64}\n", lines[2])
    assert re.fullmatch(r"root [0-9a-f]{64}\n", lines[3])
    body = "".join(lines[:5]).encode()
    sig = base64.b64decode(lines[5].split(" ", 1)[1].strip(), validate=True)
    with open(log.path("audit", "audit.pub"), "rb") as f:
        pub = serialization.load_pem_public_key(f.read())
    pub.verify(sig, body)
    with pytest.raises(InvalidSignature):
        pub.verify(sig, body.replace(b"size %d" % log.n,
                                     b"size %d" % (log.n - 1)))
    assert any(e["action"] == "audit.checkpoint" and e["actor"] == "dave"
               for e in log.events())


def test_log_matches_independent_model(log):
    """Recomputed here from the documented encoding: every stored prev
    and hash, and the checkpoint's head and Merkle root."""
    rows = rows_with_hashes(log)
    prev = bytes(32)
    leaves = []
    for e in rows:
        leaf = leaf_hash(e)
        leaves.append(leaf)
        assert bytes(e["prev"]) == prev, e["seq"]
        prev = hashlib.sha256(prev + leaf).digest()
        assert bytes(e["hash"]) == prev, e["seq"]
    f = cp_fields(log.cp_text)
    assert bytes(rows[log.n - 1]["hash"]).hex() == f["head"]
    assert mth(leaves[:log.n]).hex() == f["root"]


def test_checkpoint_needs_auditor_or_admin(log):
    """An auditor may make a checkpoint; a requester may not."""
    c = copy(log)
    out = os.path.join(c.root, "cp-ida.txt")
    c("audit", "checkpoint", "--out", out, as_="ida", rc=0)
    before = c.audit_count()
    r = c("audit", "checkpoint", "--out", out + ".eve", as_="eve")
    assert r.rc != 0 and not os.path.exists(out + ".eve"), str(r)
    assert c.audit_count() == before


# --- tampering ---------------------------------------------------------------

def tampered(log, sql_fn, expect, with_checkpoint=True):
    """Applies sql_fn(copy) with sqlite3 and requires verify to exit 1
    naming event `expect` (an int, or a set of acceptable numbers)."""
    c = copy(log)
    sqlite(c.db, sql_fn(c))
    args = ("--checkpoint", log.cp) if with_checkpoint else ()
    r = verify(c, *args)
    assert r.rc == 1, "tampered log verified\n%s" % r
    got = first_event(r.text)
    ok = expect if isinstance(expect, set) else {expect}
    assert got in ok, "expected event %s named first\n%s" % (sorted(ok), r)
    return c, r


def test_changed_actor(log):
    """An old event's actor changed → that event."""
    k = seq_of(log, "cert.issue")
    tampered(log, lambda c: "UPDATE audit SET actor='mallory' "
             "WHERE seq=%d;" % k, k)


def test_changed_details(log):
    """An old event's details changed (another serial) → that event."""
    k = seq_of(log, "cert.issue", 1)
    s = log.serials_issued[1]
    fake = "0" + s[1:] if s[0] != "0" else "1" + s[1:]
    tampered(log, lambda c: "UPDATE audit SET details=replace(details, "
             "'%s', '%s'), object='cert:%s' WHERE seq=%d;"
             % (s, fake, fake, k), k)


def test_changed_time(log):
    """A change of the time field alone → that event."""
    k = seq_of(log, "service.add")
    tampered(log, lambda c: "UPDATE audit SET time=time-3600 "
             "WHERE seq=%d;" % k, k)


def test_changed_prev_link(log):
    """A rewritten prev hash → that event."""
    k = seq_of(log, "request.approve")
    tampered(log, lambda c: "UPDATE audit SET prev=zeroblob(32) "
             "WHERE seq=%d;" % k, k)


def test_deleted_event_leaves_gap(log):
    """A deleted event (seq gap) → the missing event, or the one after
    it where the gap is seen."""
    k = seq_of(log, "cert.revoke")
    tampered(log, lambda c: "DELETE FROM audit WHERE seq=%d;" % k,
             {k, k + 1})


def test_deleted_event_renumbered(log):
    """A deleted event with the later ones renumbered to hide the gap
    → the event now at that number."""
    k = seq_of(log, "request.submit", 2)
    tampered(log, lambda c: (
        "DELETE FROM audit WHERE seq=%d;"
        "UPDATE audit SET seq=-(seq-1) WHERE seq>%d;"
        "UPDATE audit SET seq=-seq WHERE seq<0;" % (k, k)), k)


def test_inserted_event(log):
    """A forged event inserted in the middle (later ones renumbered) →
    the forged event's number."""
    k = seq_of(log, "cert.issue", 2)
    tampered(log, lambda c: (
        "UPDATE audit SET seq=-(seq+1) WHERE seq>=%d;"
        "UPDATE audit SET seq=-seq WHERE seq<0;"
        "INSERT INTO audit(seq, time, actor, origin, channel, action, object,"
        " details, prev, hash) SELECT %d, time, 'mallory', origin, channel,"
        " action, object, details, prev, hash FROM audit WHERE seq=%d;"
        % (k, k, k + 1)), k)


def test_appended_event(log):
    """A forged event appended after the head → that event."""
    n = log.total
    tampered(log, lambda c: (
        "INSERT INTO audit(seq, time, actor, origin, channel, action, object,"
        " details, prev, hash) SELECT seq+1, time, actor, origin, channel,"
        " 'cert.revoke', object, details, prev, hash FROM audit"
        " WHERE seq=%d;" % n), n + 1)


def test_swapped_events(log):
    """Two events' contents swapped → the earlier of the two."""
    i = seq_of(log, "request.submit", 1)
    j = seq_of(log, "cert.issue", 3)
    assert i < j
    cols = "time, actor, origin, channel, action, object, details, prev, hash"
    tampered(log, lambda c: (
        "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN (%d, %d);"
        "UPDATE audit SET (%s) = (SELECT %s FROM t WHERE t.seq=%d) "
        "WHERE seq=%d;"
        "UPDATE audit SET (%s) = (SELECT %s FROM t WHERE t.seq=%d) "
        "WHERE seq=%d;" % (i, j, cols, cols, j, i, cols, cols, i, j)), i)


def test_rechained_forgery_caught_by_checkpoint(log):
    """An old event changed and every later prev/hash recomputed (the
    chain alone is consistent again): only the signed checkpoint catches
    it, and it must."""
    c = copy(log)
    rows = rows_with_hashes(c)
    k = seq_of(c, "cert.issue")
    sql = []
    prev = bytes(32)
    for e in rows:
        if e["seq"] == k:
            e["actor"] = "mallory"
            sql.append("UPDATE audit SET actor='mallory' WHERE seq=%d;" % k)
        h = hashlib.sha256(prev + leaf_hash(e)).digest()
        if e["seq"] >= k:
            sql.append("UPDATE audit SET prev=X'%s', hash=X'%s' "
                       "WHERE seq=%d;" % (prev.hex(), h.hex(), e["seq"]))
        prev = h
    sqlite(c.db, "".join(sql))
    r = verify(c, "--checkpoint", log.cp)
    assert r.rc == 1, "re-chained forgery verified\n%s" % r
    r = verify(c)  # the stored checkpoint
    assert r.rc == 1, "re-chained forgery verified\n%s" % r


def test_truncated_below_checkpoint(log):
    """The tail dropped below the checkpoint's size → the first missing
    event; also caught with the stored checkpoint (no --checkpoint)."""
    n = log.n
    c, _ = tampered(log, lambda c: "DELETE FROM audit WHERE seq>%d;"
                    % (n - 2), n - 1)
    r = verify(c)
    assert r.rc == 1 and first_event(r.text) == n - 1, str(r)


def test_truncated_after_checkpoint_only(log):
    """Dropping the newest event, after the checkpoint, is beyond what a
    checkpoint proves: the rest still verifies against it (the verifier
    does not over-report)."""
    c = copy(log)
    sqlite(c.db, "DELETE FROM audit WHERE seq=%d;" % log.total)
    verify(c, "--checkpoint", log.cp, rc=0)


def test_forged_checkpoint_refused(log):
    """A checkpoint whose size line was edited, or one signed by another
    data directory's key, is refused."""
    c = copy(log)
    bad = os.path.join(c.root, "cp-bad.txt")
    with open(bad, "w") as f:
        f.write(log.cp_text.replace("size %d\n" % log.n,
                                    "size %d\n" % (log.n - 1)))
    r = verify(c, "--checkpoint", bad)
    assert r.rc == 1, str(r)
    other = cwdata.Data(c.root, "other-%d" % log.n_copies)
    other.init("--policy", cwdata.EXAMPLE_POLICY)
    cp2 = os.path.join(c.root, "cp-other.txt")
    other("audit", "checkpoint", "--out", cp2, as_=cwdata.os_user(), rc=0)
    r = verify(c, "--checkpoint", cp2)
    assert r.rc == 1, str(r)


# --- inclusion proofs --------------------------------------------------------

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def hex_paths(obj, path=()):
    """Paths (tuples of keys/indexes) of every 64-hex-digit string."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from hex_paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from hex_paths(v, path + (i,))
    elif isinstance(obj, str) and HEX64.match(obj):
        yield path


def set_at(obj, path, fn):
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = fn(obj[path[-1]])


def flip_hex(s):
    return ("1" if s[0] == "0" else "0") + s[1:]


def test_inclusion_proof(log):
    """audit prove gives a proof of a certificate's issuance that checks
    offline with the audit public key; any altered hash in it fails, and
    so does another directory's key."""
    c = copy(log)
    serial = log.serials_issued[2]
    out = os.path.join(c.root, "proof.json")
    c("audit", "prove", serial, "--checkpoint", log.cp, "--out", out, rc=0)
    with open(out) as f:
        proof = json.load(f)
    pub = log.path("audit", "audit.pub")
    c("audit", "check-proof", out, "--key", pub, rc=0)
    assert serial in json.dumps(proof)

    # checked independently: the event's leaf, the path, the signed root
    ev = proof["event"]
    assert ev["action"] == "cert.issue" and ev["object"] == "cert:" + serial
    f = cp_fields(proof["checkpoint"])
    assert proof["checkpoint"] == log.cp_text
    assert verify_inclusion(leaf_hash(ev), proof["leaf_index"],
                            proof["tree_size"],
                            [bytes.fromhex(h) for h in proof["path"]],
                            bytes.fromhex(f["root"]))
    assert proof["tree_size"] == log.n

    paths = list(hex_paths(proof))
    assert paths, "no hex hash found in the proof: %s" % proof
    for i, p in enumerate(paths):
        bad = json.loads(json.dumps(proof))
        set_at(bad, p, flip_hex)
        f = os.path.join(c.root, "bad-proof-%d.json" % i)
        with open(f, "w") as fh:
            json.dump(bad, fh)
        r = c("audit", "check-proof", f, "--key", pub)
        assert r.rc == 1, "altered %s accepted\n%s" % (p, r)

    # the claims around the hashes: another serial, action or index
    for label, change in (
            ("serial", lambda b: b.__setitem__("serial",
                                                log.serials_issued[0])),
            ("action", lambda b: b["event"].__setitem__("action",
                                                         "cert.revoke")),
            ("details", lambda b: b["event"].__setitem__(
                "details", b["event"]["details"] + " ")),
            ("index", lambda b: b.__setitem__("leaf_index",
                                               b["leaf_index"] + 1))):
        bad = json.loads(json.dumps(proof))
        change(bad)
        f = os.path.join(c.root, "bad-proof-%s.json" % label)
        with open(f, "w") as fh:
            json.dump(bad, fh)
        r = c("audit", "check-proof", f, "--key", pub)
        assert r.rc == 1, "proof with altered %s accepted\n%s" % (label, r)

    other = cwdata.Data(c.root, "other-%d" % log.n_copies)
    other.init("--policy", cwdata.EXAMPLE_POLICY)
    r = c("audit", "check-proof", out, "--key",
          other.path("audit", "audit.pub"))
    assert r.rc == 1, str(r)

    # without --checkpoint the newest stored one is used: a fresh one
    # covers the certificate issued after cp.txt
    c("audit", "checkpoint", as_="dave", rc=0)
    out2 = os.path.join(c.root, "proof2.json")
    c("audit", "prove", log.late, "--out", out2, rc=0)
    c("audit", "check-proof", out2, "--key", pub, rc=0)
    c("audit", "prove", "abcdef0123456789", "--out", out2 + ".x", rc=2)

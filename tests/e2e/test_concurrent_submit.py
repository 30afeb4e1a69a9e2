"""Concurrent submissions on one data directory (issue 3, performance:
two processes).  `request submit` prepares its requests before it takes
the write lock: it parses and checks them, reads the inventory and signs
the certificates it expects to issue; under the lock it decides again
from the database.  These tests make that prediction wrong on purpose:
the same public key is submitted by two processes that both prepare
while a third connection holds the lock, or twice in one call, and
key_reuse: deny must still hold against the whole inventory.  Exactly
one request per key is issued, the others are rejected with key.reuse,
and no certificate signed for a prediction that did not hold is stored
or reported.
"""

import json
import sqlite3
import subprocess
import time

from cryptography import x509
from cryptography.hazmat.primitives import serialization

import csrgen
import cwdata
from cwdata import BASE_URL, WS, ec_key, spki_sha256, web_csr


def make_data(tmp_path):
    d = cwdata.Data(tmp_path)
    d.init("--policy", cwdata.EXAMPLE_POLICY, "--base-url", BASE_URL)
    d.people()
    d.service("web")
    return d


def start(d, paths, *extra):
    args = [cwdata.BIN, "--data", d.dir, "request", "submit", "--template",
            WS, "--service", "web", *paths, *extra, "--json", "--as",
            "alice"]
    return subprocess.Popen(args, cwd=d.root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def finish(p):
    """The outcomes a submit process printed (a list), after checking
    their shape and that the exit code agrees with them."""
    out, err = p.communicate(timeout=120)
    cwdata.sanitizer_check(p.args[1:], err)
    msg = "exit %s\n%s\n%s" % (p.returncode, out.decode(), err.decode())
    assert p.returncode in (0, 1), msg
    obj = json.loads(out)
    objs = obj if isinstance(obj, list) else [obj]
    for o in objs:
        cwdata.check_outcome(o, msg)
    assert (p.returncode == 1) == any(o["state"] == "rejected"
                                      for o in objs), msg
    return objs


def check_store(d, keys, reported):
    """One certificate per key, each with its cert.issue event and its
    issued request; every rejection is key.reuse and names no
    certificate; what the processes reported is what is stored; the log
    verifies."""
    d("audit", "verify", rc=0)
    rows = d.db_rows("SELECT serial, request_id, spki_sha256, der "
                     "FROM certificates")
    by_spki = {}
    for r in rows:
        by_spki.setdefault(bytes(r["spki_sha256"]), []).append(r)
    want = {spki_sha256(k) for k in keys}
    assert set(by_spki) == want, "certificates for other keys"
    for s, certs in by_spki.items():
        assert len(certs) == 1, "key %s issued %d times" % (s.hex(),
                                                            len(certs))
    serials = {r["serial"] for r in rows}
    issued_ev = cwdata.event_serials(d.events())
    assert sorted(issued_ev) == sorted(serials), (
        "certificates and cert.issue events differ")
    reqs = {r["id"]: r for r in d.db_rows("SELECT * FROM requests")}
    for r in rows:
        assert reqs[r["request_id"]]["state"] == "issued"
        assert reqs[r["request_id"]]["serial"] == r["serial"]
        cert = x509.load_der_x509_certificate(r["der"])
        assert format(cert.serial_number, "x") == r["serial"]
        spki = cert.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)
        assert spki_sha256(cert.public_key()) == bytes(r["spki_sha256"])
        assert spki in {csrgen.spki_der(k) for k in keys}
    n_issued = 0
    for o in reported:
        assert reqs[o["id"]]["state"] == o["state"], o
        if o["state"] == "issued":
            n_issued += 1
            assert o["serial"] in serials, o
            continue
        assert o["state"] == "rejected", o
        assert [v["rule"] for v in o["violations"]] == ["key.reuse"], o
        assert not reqs[o["id"]]["serial"], o
    assert n_issued == len(keys) == len(rows)
    # the rejections are recorded with their reason in the log
    submits = {e["object"]: json.loads(e["details"])
               for e in d.events("request.submit")}
    for o in reported:
        ev = submits["request:%d" % o["id"]]
        assert ev["state"] == ("approved" if o["state"] == "issued"
                               else "rejected"), (o, ev)


def warm_up(d):
    """Issues one certificate; returns its key, its outcome and how many
    seconds the submit took here (sanitizer builds are slower)."""
    key = ec_key()
    t0 = time.monotonic()
    o = d.issue(web_csr(key, dns=("warmup.svc.example.internal",)))
    return key, o, time.monotonic() - t0


def hold_lock_while(d, seconds, procs_fn):
    """Holds the write lock, starts the processes, waits, lets go."""
    con = sqlite3.connect(d.db, timeout=30, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        procs = procs_fn()
        time.sleep(seconds)
        for p in procs:
            assert p.poll() is None, "a submit did not wait for the lock"
        con.execute("ROLLBACK")
    finally:
        con.close()
    return procs


def test_same_keys_from_two_processes_prepared_together(tmp_path):
    """Two processes submit CSRs for the same ten keys and both prepare
    (and sign) while the lock is held elsewhere: one of them issues all
    ten, the other's pre-signed certificates are dropped and its requests
    rejected with key.reuse."""
    d = make_data(tmp_path)
    wkey, wout, one = warm_up(d)
    keys = [ec_key() for _ in range(10)]
    a = [d.csr_file(web_csr(k, dns=("a%d.svc.example.internal" % i,)))
         for i, k in enumerate(keys)]
    b = [d.csr_file(web_csr(k, dns=("b%d.svc.example.internal" % i,)))
         for i, k in enumerate(keys)]
    procs = hold_lock_while(d, max(1.0, 10 * one),
                            lambda: [start(d, a), start(d, b[::-1])])
    outs = [finish(p) for p in procs]
    # each process decides its ten in one transaction
    states = sorted(sorted({o["state"] for o in objs}) for objs in outs)
    assert states == [["issued"], ["rejected"]], outs
    check_store(d, keys + [wkey], outs[0] + outs[1] + [wout])


def test_same_key_twice_in_one_call(tmp_path):
    """One call carrying two CSRs for the same key (both predicted
    issuable, both signed before the lock): the first is issued, the
    second rejected with key.reuse inside the same transaction."""
    d = make_data(tmp_path)
    key, other = ec_key(), ec_key()
    paths = [d.csr_file(web_csr(key, dns=("x.svc.example.internal",))),
             d.csr_file(web_csr(other, dns=("y.svc.example.internal",))),
             d.csr_file(web_csr(key, dns=("z.svc.example.internal",)))]
    objs = finish(start(d, paths))
    assert [o["state"] for o in objs] == ["issued", "issued", "rejected"]
    check_store(d, [key, other], objs)


def test_two_processes_racing_one_request_per_transaction(tmp_path):
    """Two processes submit the same 30 keys in the same order with
    --group 1, racing for the lock request by request: whichever way the
    races go, each key is issued exactly once."""
    d = make_data(tmp_path)
    keys = [ec_key() for _ in range(30)]
    a = [d.csr_file(web_csr(k, dns=("a%d.svc.example.internal" % i,)))
         for i, k in enumerate(keys)]
    b = [d.csr_file(web_csr(k, dns=("b%d.svc.example.internal" % i,)))
         for i, k in enumerate(keys)]
    procs = [start(d, a, "--group", "1"), start(d, b, "--group", "1")]
    outs = [finish(p) for p in procs]
    for i in range(len(keys)):
        assert sorted([outs[0][i]["state"], outs[1][i]["state"]]) == [
            "issued", "rejected"], (i, outs[0][i], outs[1][i])
    check_store(d, keys, outs[0] + outs[1])

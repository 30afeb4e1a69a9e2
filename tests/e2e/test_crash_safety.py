"""Crash safety (issue 3): `certward request submit` processes run in
parallel against one data directory and are killed with SIGKILL at random
moments.  Afterwards the log verifies, every certificate has its audit
events and every issuance event its certificate, serials are unique, and
no request is lost or half-written.

The random schedule is printed on failure; set CW_CRASH_SEED to replay it.
"""

import json
import os
import random
import signal
import subprocess
import time

from cryptography import x509

import cwdata
from cwdata import BASE_URL, WS, web_csr

N_CSRS = 60
PARALLEL = 6
DEADLINE = 20.0  # seconds for the whole storm


def launch(d, batch, env):
    args = [cwdata.BIN, "--data", d.dir, "request", "submit", "--template",
            WS, "--service", "web", *batch, "--json", "--as", "alice"]
    return subprocess.Popen(args, cwd=d.root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_during_parallel_submits(tmp_path):
    seed = int(os.environ.get("CW_CRASH_SEED") or time.time_ns() % 2**32)
    rng = random.Random(seed)
    tag = "CW_CRASH_SEED=%d" % seed
    d = cwdata.Data(tmp_path)
    d.init("--policy", cwdata.EXAMPLE_POLICY, "--base-url", BASE_URL)
    d.people()
    d.service("web")
    env = dict(os.environ, LC_ALL="C.UTF-8")

    # how long one submit takes here (sanitizer builds are slower), so
    # that the kills land anywhere in a run, commit included
    t0 = time.monotonic()
    d.issue(web_csr(dns=("warmup.svc.example.internal",)))
    one = time.monotonic() - t0

    csrs = [d.csr_file(web_csr(dns=("c%d.svc.example.internal" % i,)),
                       "crash-%03d.csr" % i) for i in range(N_CSRS)]
    # mostly one CSR per process; every fourth process a group of four
    jobs, i = [], 0
    while i < len(csrs):
        n = 4 if len(jobs) % 4 == 3 else 1
        jobs.append(csrs[i:i + n])
        i += n

    running, done = [], []
    deadline = time.monotonic() + DEADLINE
    while (jobs or running) and time.monotonic() < deadline:
        while jobs and len(running) < PARALLEL:
            batch = jobs.pop(0)
            kill_at = None
            if rng.random() < 0.5:
                kill_at = time.monotonic() + rng.uniform(0, 1.5 * one *
                                                         len(batch))
            running.append((launch(d, batch, env), batch, kill_at))
        now = time.monotonic()
        still = []
        for p, batch, kill_at in running:
            if p.poll() is None and kill_at is not None and now >= kill_at:
                p.send_signal(signal.SIGKILL)
            if p.poll() is None:
                still.append((p, batch, kill_at))
                continue
            out, err = p.communicate()
            done.append((p.returncode, batch, out, err))
        running = still
        time.sleep(0.001)
    for p, batch, _ in running:  # past the deadline
        p.send_signal(signal.SIGKILL)
        out, err = p.communicate()
        done.append((p.returncode, batch, out, err))

    killed = [x for x in done if x[0] == -signal.SIGKILL]
    finished = [x for x in done if x[0] != -signal.SIGKILL]
    assert killed and finished, (tag, len(killed), len(finished))
    reported = []  # outcomes printed by processes that finished
    for rc, batch, out, err in finished:
        cwdata.sanitizer_check(["request", "submit"], err)
        msg = "%s: submit %s exit %s\n%s\n%s" % (tag, batch, rc,
                                                  out.decode(), err.decode())
        assert rc == 0, msg
        obj = json.loads(out)
        objs = obj if isinstance(obj, list) else [obj]
        assert len(objs) == len(batch), msg
        for o in objs:
            assert o["state"] == "issued", msg
        reported += objs

    # the log is intact
    r = d("audit", "verify")
    assert r.rc == 0, "%s\n%s" % (tag, r)

    certs = d.certs()
    serials = [c["serial"] for c in certs]
    assert len(serials) == len(set(serials)), tag
    events = d.events()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    issued_ev = cwdata.event_serials(events)
    assert len(issued_ev) == len(set(issued_ev)), tag
    assert set(issued_ev) == set(serials), (
        tag, "certificates without cert.issue: %s; cert.issue without "
        "certificate: %s" % (set(serials) - set(issued_ev),
                             set(issued_ev) - set(serials)))
    objects = {e["object"] for e in events}

    # every request is whole: a valid state, its submit event, and when
    # issued its certificate pointing back at it
    reqs = {r["id"]: r for r in d.db_rows("SELECT * FROM requests")}
    rows = {c["serial"]: c for c in d.db_rows(
        "SELECT serial, request_id, spki_sha256, der FROM certificates")}
    assert set(rows) == set(serials), tag
    for rid, r in reqs.items():
        assert r["state"] in cwdata.DB_STATES, (tag, r)
        assert "request:%d" % rid in objects, (tag, "no event", rid)
        if r["state"] == "issued":
            assert r["serial"] in rows, (tag, r)
            assert rows[r["serial"]]["request_id"] == rid, (tag, r)
        else:
            assert not r["serial"], (tag, r)
    for s, row in rows.items():
        assert reqs[row["request_id"]]["serial"] == s, (tag, s)
        cert = x509.load_der_x509_certificate(row["der"])
        assert format(cert.serial_number, "x") == s, (tag, s)
    spkis = [bytes(r["spki_sha256"]) for r in rows.values()]
    assert len(spkis) == len(set(spkis)), (tag, "a key issued twice")

    # what a finished process reported is exactly what is stored
    for o in reported:
        assert reqs[o["id"]]["state"] == "issued", (tag, o)
        assert reqs[o["id"]]["serial"] == o["serial"], (tag, o)
    assert len(reqs) <= N_CSRS + 1 and len(reported) <= len(rows) - 1

    # and the directory still works
    d.issue(web_csr(dns=("after.svc.example.internal",)))
    d("audit", "verify", rc=0)

"""Crash safety (issue 3): `certward request submit` processes run in
parallel against one data directory and are killed with SIGKILL at random
moments.  Afterwards the log verifies, every certificate has its audit
events and every issuance event its certificate, serials are unique, and
no request is lost or half-written.

Every failure message carries the seed; CW_CRASH_SEED=N repeats the same
kill choices and delays (the processes' own timing still varies).
"""

import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
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
    """SIGKILL at random points of parallel submits loses nothing and
    leaves no half-written request, certificate or audit event."""
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
    print("%s: %d killed, %d finished, one submit %.3fs"
          % (tag, len(killed), len(finished), one))
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


def test_writers_wait_for_a_busy_database(tmp_path):
    """While another process holds the write lock, state-changing
    commands queue behind it (busy timeout) instead of failing.  First
    the lock is held across the commands' start (they must still be
    waiting after a second, then succeed); then it is taken and released
    every few milliseconds while commands run one after the other, so it
    is also held at the moment each command begins its own transaction."""
    d = cwdata.Data(tmp_path)
    d.init("--policy", cwdata.EXAMPLE_POLICY, "--base-url", BASE_URL)
    d.people()
    d.service("web")
    victims = [d.issue(web_csr(dns=("v%d.svc.example.internal" % i,)))
               ["serial"] for i in range(2)]
    env = dict(os.environ, LC_ALL="C.UTF-8")

    def cmds(n):
        return [
            ["request", "submit", "--template", WS, "--service", "web",
             d.csr_file(web_csr()), "--as", "alice"],
            ["cert", "revoke", victims[n], "--reason", "superseded",
             "--as", "dave"],
            ["service", "add", "late%d" % n, "--owner", "t", "--contact",
             "c@example.test", "--as", "dave"],
        ]

    def start(args):
        return subprocess.Popen([cwdata.BIN, "--data", d.dir] + args,
                                cwd=d.root, env=env,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)

    def finish(args, p, early="-"):
        out, err = p.communicate(timeout=60)
        cwdata.sanitizer_check(args, err)
        assert p.returncode == 0 and early is None, (
            "%s did not wait for the lock: exit %s (exit within 1s: %s)"
            "\n%s%s" % (" ".join(args), p.returncode, early, out.decode(),
                         err.decode()))

    con = sqlite3.connect(d.db, timeout=30, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        procs = [(a, start(a)) for a in cmds(0)]
        time.sleep(1.0)
        early = [p.poll() for _, p in procs]
        con.execute("ROLLBACK")
    finally:
        con.close()
    for (a, p), e in zip(procs, early):
        finish(a, p, e)

    stop = threading.Event()

    def flap():
        # grabs the lock as soon as it is free (no busy handler), holds it
        # a few milliseconds, lets go briefly
        c = sqlite3.connect(d.db, timeout=0, isolation_level=None)
        try:
            while not stop.is_set():
                try:
                    c.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:
                    time.sleep(0.0001)
                    continue
                time.sleep(0.005)
                c.execute("ROLLBACK")
                time.sleep(0.002)
        finally:
            c.close()

    t = threading.Thread(target=flap)
    t.start()
    try:
        for a in cmds(1) + [cmds(1)[0] for _ in range(8)]:
            finish(a, start(a), None)
    finally:
        stop.set()
        t.join()
    d("audit", "verify", rc=0)

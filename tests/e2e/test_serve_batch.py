"""Group commit in `certward serve` (issue 4, performance): a worker
prepares each submission as it arrives, suspends its connection, and
after each pass of its event loop decides and records everything queued
in one write transaction, answering each connection afterwards.  These
tests submit many requests at once, some of them for the same public
key, and check that batching changes no answer: every 201 "issued" is in
the inventory, a key submitted several times at once is issued exactly
once and the others are rejected with key.reuse, the log and the
issuance metrics count every answer, and the audit log verifies.
"""

import json
import re
import threading

from cwdata import ec_key, spki_sha256, web_csr
from test_serve import Server, srv  # noqa: F401 (the fixture)

N_DISTINCT = 40
N_SHARED_KEYS = 3
COPIES = 4  # submissions of each shared key, all at once


def issuance_count(s):
    r = s.get("/metrics")
    assert r.status == 200, str(r)
    m = re.search(rb"^certward_issuance_duration_seconds_count (\d+)$",
                  r.body, re.M)
    assert m, r.body[:2000]
    return int(m.group(1))


def fire(s, csrs):
    """Submits every CSR from its own thread, released together; the
    answers in the same order."""
    answers = [None] * len(csrs)
    go = threading.Barrier(len(csrs))

    def one(i):
        go.wait()
        try:
            answers[i] = s.submit(csrs[i])
        except OSError as e:
            answers[i] = e

    threads = [threading.Thread(target=one, args=(i,))
               for i in range(len(csrs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


def rules(problem):
    return {v["rule"] for v in problem.get("violations", [])}


def test_concurrent_submissions_with_shared_keys(srv):  # noqa: F811
    srv.token("alice")
    before = issuance_count(srv)
    distinct = [web_csr() for _ in range(N_DISTINCT)]
    shared = [ec_key() for _ in range(N_SHARED_KEYS)]
    dup = [(k, web_csr(key=k)) for k in shared for _ in range(COPIES)]
    csrs = distinct + [c for _, c in dup]
    answers = fire(srv, csrs)
    for a in answers:
        assert not isinstance(a, Exception), repr(a)

    issued = []
    for a in answers[:N_DISTINCT]:
        assert a.status == 201, str(a)
        o = a.json
        assert o["state"] == "issued" and o["serial"], str(a)
        assert a.headers.get("Location") == \
            "/api/v1/requests/%d" % o["id"], str(a)
        issued.append(o["serial"])
    for i, k in enumerate(shared):
        mine = answers[N_DISTINCT + i * COPIES:N_DISTINCT + (i + 1) * COPIES]
        ok = [a for a in mine if a.status == 201]
        assert len(ok) == 1, "key %d issued %d times: %s" % (
            i, len(ok), [str(a) for a in mine])
        assert ok[0].json["state"] == "issued", str(ok[0])
        issued.append(ok[0].json["serial"])
        for a in mine:
            if a is ok[0]:
                continue
            p = a.problem(422)
            assert "key.reuse" in rules(p), str(a)
            assert "serial" not in p, str(a)

    # every answer was for its own request, and only committed ones: the
    # serials are distinct and all in the inventory, nothing more stored
    assert len(set(issued)) == len(issued), issued
    have = srv.d.serials()
    assert set(issued) <= have
    rows = srv.d.db_rows("SELECT serial, spki_sha256 FROM certificates")
    by_spki = {}
    for r in rows:
        by_spki.setdefault(bytes(r["spki_sha256"]), []).append(r["serial"])
    for k in shared:
        assert len(by_spki.get(spki_sha256(k), [])) == 1
    ids = [a.json["id"] for a in answers if a.status == 201] + \
        [a.json["id"] for a in answers if a.status == 422]
    assert len(set(ids)) == len(csrs), ids
    srv.d("audit", "verify", rc=0)

    # one log line per submission, with its status and user, and the
    # issuance histogram counts every certificate answered
    lines = [json.loads(l) for l in srv.log_text().splitlines()
             if l.startswith('{"event":"request"')]
    subs = [l for l in lines if l["path"] == "/api/v1/requests"
            and l["method"] == "POST"]
    assert len(subs) == len(csrs), subs
    assert all(l["user"] == "alice" for l in subs), subs
    assert sorted(l["status"] for l in subs) == sorted(
        a.status for a in answers)
    assert issuance_count(srv) - before == len(issued)


def test_batched_answers_to_bad_and_good_requests(srv):  # noqa: F811
    # an unreadable CSR is refused before it is queued and must not
    # disturb the submissions committed around it
    srv.token("alice")
    good = [web_csr() for _ in range(10)]
    answers = [None] * 14
    go = threading.Barrier(14)

    def one(i):
        go.wait()
        if i < 10:
            answers[i] = srv.submit(good[i])
        elif i < 12:
            answers[i] = srv.post("/api/v1/requests", {
                "template": "web-server", "service": "web",
                "csr": "not a CSR"}, user="alice")
        else:
            answers[i] = srv.post("/api/v1/requests", {
                "template": "no-such-template", "service": "web",
                "csr": "x"}, user="alice")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(14)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    serials = []
    for a in answers[:10]:
        assert a.status == 201 and a.json["state"] == "issued", str(a)
        serials.append(a.json["serial"])
    for a in answers[10:]:
        assert a.status in (400, 404, 422), str(a)
        a.problem(a.status)
    assert set(serials) <= srv.d.serials()
    srv.d("audit", "verify", rc=0)

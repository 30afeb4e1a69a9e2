"""`certward serve` operations (issue 4, item 1): SIGHUP reloads config
and policy (an invalid one is refused and the old one stays in force), and
the self-issued TLS certificate is in the inventory with its audit trail.

Uses the Server class of test_serve.py: a fresh data directory, free
loopback ports, SIGTERM at teardown (exit 0 required).
"""

import json
import re
import signal
import socket
import ssl
import time

import pytest

from cwdata import WS
from test_serve import Server

RELOAD_TIMEOUT = 20


@pytest.fixture
def srv(ca):
    s = Server(ca)
    yield s
    rc = s.stop()
    log = s.log_text()
    assert rc == 0, "exit %s\n%s" % (rc, log)
    assert "Sanitizer" not in log and "runtime error:" not in log, log


def policy_path(d):
    with open(d.path("config.yaml")) as f:
        m = re.search(r'^policy:\s*"?([^"\n]+)"?\s*$', f.read(), re.M)
    assert m, "no policy key in config.yaml"
    p = m.group(1)
    return p if p.startswith("/") else d.path(p)


def read(p):
    with open(p) as f:
        return f.read()


def write(p, text):
    with open(p, "w") as f:
        f.write(text)


def with_extra_template(text, name):
    """The policy text with a copy of the web-server template named
    `name` (the example policy's first template)."""
    start = text.index("  - name: web-server")
    end = text.index("  - name: ", start + 1)
    block = text[start:end].replace("name: web-server", "name: " + name, 1)
    return text[:end] + block + text[end:]


def template_names(srv):
    r = srv.get("/api/v1/templates", user="alice")
    assert r.status == 200, str(r)
    return {t["name"] for t in r.json}


def log_events(srv, event):
    out = []
    for line in srv.log_text().splitlines():
        if line.startswith("{"):
            try:
                j = json.loads(line)
            except ValueError:
                continue
            if j.get("event") == event:
                out.append(j)
    return out


def reload_starts(srv):
    """Workers started to replace others on a reload."""
    return [e for e in log_events(srv, "worker-start")
            if e.get("reason") == "reload"]


def wait_for(pred, what, srv):
    deadline = time.time() + RELOAD_TIMEOUT
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.1)
    pytest.fail("timed out waiting for %s\n%s" % (what, srv.log_text()))


def peer_serial(srv):
    ctx = ssl.create_default_context(cafile=srv.d.root_crt)
    with socket.create_connection(("127.0.0.1", srv.port), 10) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            return t.getpeercert()["serialNumber"].lower().lstrip("0")


# --- SIGHUP ---------------------------------------------------------------------

def test_sighup_reloads_policy(srv):
    # a template added to the policy file is served after SIGHUP, by new
    # workers that replaced every old one
    assert "extra-tls" not in template_names(srv)
    p = policy_path(srv.d)
    write(p, with_extra_template(read(p), "extra-tls"))
    srv.proc.send_signal(signal.SIGHUP)
    # replaced means the new workers started and the old ones are gone
    # (until an old worker exits it may still answer with the old policy)
    wait_for(lambda: len(reload_starts(srv)) == 2 and len(
        [e for e in log_events(srv, "worker-exit")
         if e.get("reason") == "replaced"]) == 2,
             "both workers replaced", srv)
    assert log_events(srv, "reload") and not log_events(srv,
                                                        "reload-refused")
    # every worker now answers with the new policy
    for _ in range(10):
        assert "extra-tls" in template_names(srv)


def test_sighup_refuses_broken_policy(srv):
    # a broken policy is refused with its error logged; the workers keep
    # serving the policy they loaded, and are not replaced
    p = policy_path(srv.d)
    good = read(p)
    write(p, with_extra_template(good, "extra-tls"))
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: len(reload_starts(srv)) == 2, "the first reload", srv)
    assert "extra-tls" in template_names(srv)

    write(p, good + "\nbogus_top_level_key: 1\n")
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: log_events(srv, "reload-refused"), "the refusal", srv)
    err = log_events(srv, "reload-refused")[0]["error"]
    assert "bogus_top_level_key" in err, err
    time.sleep(0.5)
    assert len(reload_starts(srv)) == 2
    for _ in range(10):
        names = template_names(srv)
        assert "extra-tls" in names and WS in names
    # the submission path still works under the old policy
    from test_serve import issue
    issue(srv)


def test_sighup_refuses_invalid_config(srv):
    # config.yaml is checked too: a server_cert_lifetime under 2m is
    # refused and nothing is replaced
    cfg = srv.d.path("config.yaml")
    write(cfg, read(cfg) + "server_cert_lifetime: 1m\n")
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: log_events(srv, "reload-refused"), "the refusal", srv)
    assert "server_cert_lifetime" in \
        log_events(srv, "reload-refused")[0]["error"]
    assert reload_starts(srv) == []
    assert srv.get("/healthz").status == 200


def test_sighup_accepts_valid_config_change(srv):
    # the accept case of the one above
    cfg = srv.d.path("config.yaml")
    write(cfg, read(cfg) + "server_cert_lifetime: 2m\n")
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: len(reload_starts(srv)) == 2, "both workers replaced",
             srv)
    assert not log_events(srv, "reload-refused")
    assert srv.get("/healthz").status == 200


# --- the server's own certificate ----------------------------------------------

def test_server_certificate_in_inventory(srv):
    # the certificate the server presents is in the inventory (service
    # certward, owner pki, template certward-server) with a cert.issue
    # audit event by "system", and the audit log verifies
    serial = peer_serial(srv)
    r = srv.get("/api/v1/certificates?service=certward", user="alice")
    assert r.status == 200, str(r)
    assert [c["serial"] for c in r.json] == [serial], str(r)
    c = r.json[0]
    assert c["template"] == "certward-server" and c["status"] == "valid"
    svc = [s for s in srv.get("/api/v1/services", user="dave").json
           if s["name"] == "certward"]
    assert svc and svc[0]["owner"] == "pki", svc
    ev = [e for e in srv.d.events("cert.issue")
          if e["object"] == "cert:" + serial]
    assert len(ev) == 1 and ev[0]["actor"] == "system", ev
    assert json.loads(ev[0]["details"])["template"] == "certward-server"
    assert [e for e in srv.d.events("service.add")
            if e["object"] == "service:certward"]
    srv.d("audit", "verify", rc=0)


def test_server_certificate_renewed_on_restart_supersedes(ca):
    # a second start issues a new certificate; the first one is marked
    # superseded by it (only one valid server certificate at a time)
    s1 = Server(ca)
    first = peer_serial(s1)
    assert s1.stop() == 0
    s2 = Server(ca)
    try:
        second = peer_serial(s2)
        assert second != first
        lst = {c["serial"]: c for c in s2.get(
            "/api/v1/certificates?service=certward", user="alice").json}
        assert lst[second]["status"] == "valid"
        assert lst[first]["status"] == "superseded"
        assert [e for e in ca.events("cert.supersede")
                if e["object"] == "cert:" + first]
        # one service, added once
        assert len([e for e in ca.events("service.add")
                    if e["object"] == "service:certward"]) == 1
    finally:
        assert s2.stop() == 0

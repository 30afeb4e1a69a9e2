"""Key isolation in `certward serve` (issue 4 item 7, docs/security.md).

The CA's private keys must live only in the signer process; the processes
that talk to the network run as an unprivileged user that cannot read the
key files, with no_new_privs and a seccomp filter.  These tests look at the
running server from outside, as root (CI runs as root; they are skipped
otherwise): /proc/PID/status of every process, the key files opened as the
workers' user, and the workers' memory searched for the issuing key's
private scalar, a search that must find it in the signer (so that it can
fail).  What the signer refuses to sign is tested against the real signer
process in tests/unit/test_signer.c.

The data directory lives in a world-traversable temporary directory, so
that only the permissions certward sets keep the workers' user out.
"""

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import cwdata
from cwdata import BIN, web_csr
from cryptography import x509
from cryptography.hazmat.primitives import serialization

import test_serve
from test_serve import Server, issue

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="the privilege drop needs root")


def _worker_user():
    for name in ("certward", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    pytest.skip("neither a certward nor a nobody account")


@pytest.fixture
def data(example_policy):
    root = tempfile.mkdtemp(prefix="cw-isolation-", dir="/tmp")
    os.chmod(root, 0o755)
    d = cwdata.Data(root)
    d.init("--policy", example_policy, "--base-url", cwdata.BASE_URL)
    d.people()
    d.service("web")
    yield d
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def srv(data):
    s = Server(data)
    yield s
    rc = s.stop()
    log = s.log_text()
    assert rc == 0, "exit %s\n%s" % (rc, log)
    assert "Sanitizer" not in log and "runtime error:" not in log, log


# --- looking at processes -------------------------------------------------------

def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def children(pid):
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                st = f.read()
        except OSError:
            continue
        # the command may hold spaces and parentheses: split after it
        fields = st[st.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            kids.append(int(name))
    return kids


def signer_pid(srv, after=0):
    """The pid of the newest signer-start line past byte offset `after`."""
    deadline = time.time() + 20
    while time.time() < deadline:
        log = srv.log_text()[after:]
        pids = re.findall(r'"event":"signer-start","pid":(\d+)', log)
        if pids:
            return int(pids[-1])
        time.sleep(0.05)
    pytest.fail("no signer-start line\n%s" % srv.log_text())


def workers(srv):
    user = _worker_user()
    kids = children(srv.proc.pid)
    return [p for p in kids
            if status(p)["Uid"].split()[0] == str(user.pw_uid)]


def wait_workers(srv, n, exclude=()):
    deadline = time.time() + 20
    while time.time() < deadline:
        w = [p for p in workers(srv) if p not in exclude]
        if len(w) >= n:
            return w
        time.sleep(0.05)
    pytest.fail("fewer than %d workers\n%s" % (n, srv.log_text()))


def private_scalar(d):
    with open(d.path("ca", "issuing.key"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    v = key.private_numbers().private_value
    return v.to_bytes((v.bit_length() + 7) // 8, "big")


# mappings larger than this are not read: only a sanitizer build has them
# (its shadow memory, terabytes reserved and never written by us)
MAP_MAX = 4 << 30
CHUNK = 16 << 20


def memory_holds(pid, needles):
    """Searches every readable mapping of pid for any of needles, in chunks
    that overlap by the longest needle."""
    overlap = max(len(n) for n in needles) - 1
    with open("/proc/%d/maps" % pid) as maps, \
            open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            if "r" not in parts[1] or hi - lo > MAP_MAX or (
                    len(parts) > 5 and parts[5] in ("[vvar]",
                                                    "[vsyscall]")):
                continue
            pos, tail = lo, b""
            while pos < hi:
                try:
                    mem.seek(pos)
                    chunk = mem.read(min(CHUNK, hi - pos))
                except (OSError, OverflowError, ValueError):
                    break
                if not chunk:
                    break
                data = tail + chunk
                if any(n in data for n in needles):
                    return True
                tail = data[-overlap:] if overlap > 0 else b""
                pos += len(chunk)
    return False


def as_user(user):
    def drop():
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
    return drop


def can_open_as(user, path):
    """True when `user` can open path for reading (checked in a child)."""
    r = subprocess.run(["/usr/bin/python3", "-c",
                        "import sys; open(sys.argv[1], 'rb').close()", path],
                       preexec_fn=as_user(user), capture_output=True)
    return r.returncode == 0


# --- tests ------------------------------------------------------------------------

def test_workers_run_unprivileged_with_seccomp(srv):
    user = _worker_user()
    ws = wait_workers(srv, 2)
    for pid in ws:
        st = status(pid)
        assert st["Uid"].split() == [str(user.pw_uid)] * 4, st
        assert st["Gid"].split() == [str(user.pw_gid)] * 4, st
        assert st["Groups"] == "", st
        assert st["NoNewPrivs"] == "1", st
        assert st["Seccomp"] == "2", st
        assert int(st["CapEff"], 16) == 0 and int(st["CapBnd"], 16) == 0, st
    # the parent keeps its rights (it restarts the signer) but is not
    # network-facing; the signer keeps root's uid without capabilities
    sp = signer_pid(srv)
    st = status(sp)
    assert st["Uid"].split()[0] == "0", st
    assert st["NoNewPrivs"] == "1" and st["Seccomp"] == "2", st
    assert int(st["CapEff"], 16) == 0 and int(st["CapBnd"], 16) == 0, st
    assert '"event":"isolation"' in srv.log_text()


def test_workers_cannot_read_the_keys(srv, data):
    user = _worker_user()
    wait_workers(srv, 2)
    keys = [data.path("ca", "issuing.key"), data.path("ca", "root.key"),
            data.path("audit", "audit.key")]
    for k in keys:
        assert os.path.exists(k)
        assert not can_open_as(user, k), k
    # the same check passes for what the workers may read, so the path
    # itself is open to them and only the key's protection keeps them out
    assert can_open_as(user, data.path("config.yaml"))
    # and no worker holds a descriptor of a key file
    for pid in workers(srv):
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            assert not target.endswith(".key"), (pid, target)


def test_key_only_in_signer_memory(srv, data):
    scalar = private_scalar(data)
    # a BIGNUM keeps its words little-endian: look for both orders
    needles = [scalar, scalar[::-1]]
    ws = wait_workers(srv, 2)
    # issuance, a CRL and an OCSP answer go through the signer meanwhile
    o = issue(srv)
    assert srv.get("/crl/issuing.crl", base=srv.pub).status == 200
    sp = signer_pid(srv)
    assert memory_holds(sp, needles), \
        "the search does not find the key even in the signer"
    with open(data.path("ca", "issuing.crt"), "rb") as f:
        cert_der = x509.load_pem_x509_certificate(f.read()).public_bytes(
            serialization.Encoding.DER)
    for pid in ws:
        # the search reads the worker's memory: it finds the issuing
        # certificate the worker serves at /ca/issuing.crt ...
        assert memory_holds(pid, [cert_der]), pid
        # ... and not the key
        assert not memory_holds(pid, needles), \
            "worker %d holds the issuing key" % pid
    assert not memory_holds(srv.proc.pid, needles), \
        "the parent holds the issuing key"
    assert o["serial"]


def test_signer_restarted_after_it_dies(srv):
    before = wait_workers(srv, 2)
    sp = signer_pid(srv)
    mark = len(srv.log_text())
    os.kill(sp, signal.SIGKILL)
    new = signer_pid(srv, after=mark)
    assert new != sp
    # every worker is replaced: each needs a channel to the new signer
    wait_workers(srv, 2, exclude=before)
    deadline = time.time() + 20
    while time.time() < deadline:
        r = srv.submit(web_csr())
        if r.status == 201:
            break
        time.sleep(0.2)
    assert r.status == 201 and r.json["state"] == "issued", str(r)
    log = srv.log_text()[mark:]
    assert '"event":"signer-exit"' in log
    assert '"reason":"signer-restart"' in log


def test_refuses_to_start_when_workers_could_read_a_key(data):
    os.chmod(data.path("ca"), 0o755)
    os.chmod(data.path("ca", "issuing.key"), 0o644)
    p = subprocess.run([BIN, "--data", data.dir, "serve", "--listen",
                        "127.0.0.1:%d" % test_serve.free_port(),
                        "--workers", "1"],
                       capture_output=True, timeout=60)
    err = p.stderr.decode()
    assert p.returncode == 2, err
    assert "issuing.key" in err and "can be read by user" in err, err


def test_unknown_user_is_a_usage_error(data):
    p = subprocess.run([BIN, "--data", data.dir, "serve", "--listen",
                        "127.0.0.1:%d" % test_serve.free_port(),
                        "--user", "no-such-user-cw"],
                       capture_output=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert b"no-such-user-cw" in p.stderr


def test_root_user_is_refused(data):
    p = subprocess.run([BIN, "--data", data.dir, "serve", "--listen",
                        "127.0.0.1:%d" % test_serve.free_port(),
                        "--user", "root"],
                       capture_output=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert b"uid or gid 0" in p.stderr

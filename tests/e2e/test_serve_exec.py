"""`certward serve` runs the HTTP server, certward-server, in its own place
(src/cli/serve.h): the CLI answers --help and usage errors itself, then
execs the server with the same options and the data directory, keeping its
process id; the CLI executable does not load the HTTP stack at all.

A stand-in server (a shell script named by CERTWARD_SERVER_BIN) records
what it was started with.
"""

import os
import shutil
import subprocess

import pytest

from conftest import BIN, describe

STAND_IN = """#!/bin/sh
{ echo "pid=$$"; echo "cwd=$(pwd)"; for a in "$@"; do echo "arg=$a"; done; } \
    > "$0.out"
exit 7
"""


@pytest.fixture
def stand_in(tmp_path):
    path = tmp_path / "server-stand-in"
    path.write_text(STAND_IN)
    path.chmod(0o755)
    return path


def recorded(path):
    lines = (str(path) + ".out")
    with open(lines) as f:
        rows = [l.rstrip("\n").split("=", 1) for l in f]
    return ([v for k, v in rows if k == "pid"][0],
            [v for k, v in rows if k == "cwd"][0],
            [v for k, v in rows if k == "arg"])


def test_server_gets_options_and_data_dir(tmp_path, stand_in):
    """The options reach the server as given (getopt's reordering in the
    CLI does not leak), after --data DIR, in the same process."""
    env = dict(os.environ, CERTWARD_SERVER_BIN=str(stand_in))
    p = subprocess.Popen([BIN, "serve", "--workers", "2", "--data", "rel-dir",
                          "--listen=127.0.0.1:1", "--public-listen",
                          "127.0.0.1:2"], cwd=str(tmp_path), env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 7, err
    pid, cwd, args = recorded(stand_in)
    assert int(pid) == p.pid, "the server must replace the CLI process"
    assert os.path.realpath(cwd) == os.path.realpath(str(tmp_path))
    assert args == ["--data", "rel-dir", "--workers", "2",
                    "--listen=127.0.0.1:1", "--public-listen",
                    "127.0.0.1:2"]


def test_data_dir_from_environment(cw, stand_in, tmp_path):
    """Without --data the server gets the directory the CLI resolved."""
    r = cw("serve", env={"CERTWARD_SERVER_BIN": str(stand_in),
                         "CERTWARD_DATA": "/some/where"})
    assert r.returncode == 7, describe(r)
    _, _, args = recorded(stand_in)
    assert args == ["--data", "/some/where"]


def test_help_and_usage_errors_without_server(cw):
    """--help and bad options are answered by the CLI: they work even when
    the server executable is missing, and a usage error never starts it."""
    env = {"CERTWARD_SERVER_BIN": "/nonexistent/certward-server"}
    r = cw("serve", "--help", env=env)
    assert r.returncode == 0, describe(r)
    assert r.stdout.startswith("usage: certward [--data DIR] serve")
    for bad in (["--workers", "0"], ["--no-such-option"], ["extra"],
                ["--tls-cert", "x.pem"]):
        r = cw("serve", *bad, env=env)
        assert r.returncode == 2, (bad, describe(r))
        assert "nonexistent" not in r.stderr, (bad, describe(r))


def test_missing_server_is_an_internal_error(cw):
    """A server that cannot be run: exit 3, naming the path and the way to
    point at another one."""
    r = cw("serve", env={"CERTWARD_SERVER_BIN": "/nonexistent/srv"})
    assert r.returncode == 3, describe(r)
    assert "/nonexistent/srv" in r.stderr
    assert "CERTWARD_SERVER_BIN" in r.stderr


def test_server_found_next_to_the_cli():
    """Without the variable the server next to the CLI is run: it refuses a
    call without --data the way certward-server does."""
    server = os.path.join(os.path.dirname(BIN), "certward-server")
    assert os.access(server, os.X_OK), "certward-server is built next to " \
        "certward"
    r = subprocess.run([server], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "certward serve" in r.stderr


def test_cli_does_not_load_the_http_stack():
    """The point of the split: no libmicrohttpd, GnuTLS or p11-kit in the
    CLI (they cost every command milliseconds of loading)."""
    if shutil.which("ldd") is None:
        pytest.skip("no ldd")
    out = subprocess.run(["ldd", BIN], capture_output=True, text=True,
                         timeout=60).stdout
    assert "libcrypto" in out, out
    for lib in ("libmicrohttpd", "libgnutls", "libp11-kit", "libnettle"):
        assert lib not in out, out
    server = os.path.join(os.path.dirname(BIN), "certward-server")
    out = subprocess.run(["ldd", server], capture_output=True, text=True,
                         timeout=60).stdout
    assert "libmicrohttpd" in out, out

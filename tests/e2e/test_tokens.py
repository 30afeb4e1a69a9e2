"""API tokens: `certward token create|list|revoke` (DESIGN 7.1).

The token is printed once and nowhere else: not by `list`, not in the
audit log, not in any byte of the data directory.  Only pki-admins manage
tokens; expiry parsing and its bounds are a contract (docs/cli.md,
"Tokens").  Authentication itself is tested in tests/unit/test_tokens.c.
"""

import base64
import datetime
import hashlib
import os
import re
import sqlite3
import time

import pytest

import cwdata
from cwdata import DAY, os_user

TOKEN_RE = re.compile(r"cw_([1-9][0-9]*)_([A-Za-z0-9_-]{43})")
LIST_KEYS = {"id", "user", "created_by", "created_at", "expires_at",
             "last_used_at", "revoked_at", "status"}


def create(d, *extra, user="alice", as_="dave"):
    """Creates a token; returns (token text, id, secret bytes)."""
    r = d("token", "create", "--user", user, *extra, as_=as_, rc=0)
    m = TOKEN_RE.fullmatch(r.stdout.rstrip("\n"))
    assert m and r.stdout.endswith("\n") and r.stdout.count("\n") == 1, \
        "stdout is not one token line\n%s" % r
    secret = base64.urlsafe_b64decode(m.group(2) + "=")
    assert len(secret) == 32
    return m.group(0), int(m.group(1)), secret


def tokens(d, as_="dave"):
    return {t["id"]: t for t in d.json("token", "list", as_=as_)}


def lifetime(t):
    return (cwdata.parse_time(t["expires_at"]) -
            cwdata.parse_time(t["created_at"])).total_seconds()


def data_bytes(d):
    """Every byte under the data directory, WAL and shm files included."""
    out = b""
    for dirpath, _, files in os.walk(d.dir):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                out += fh.read()
    return out


# --- create ------------------------------------------------------------------

def test_create_prints_only_the_token(ca):
    # stdout is exactly the token and a newline; nothing on stderr
    r = ca("token", "create", "--user", "alice", as_="dave", rc=0)
    assert TOKEN_RE.fullmatch(r.stdout[:-1]), str(r)
    assert r.stdout.endswith("\n") and "\n" not in r.stdout[:-1], str(r)
    assert r.stderr == "", str(r)


def test_create_json(ca):
    # --json is exactly {"token", "id"}, the id being the token's own
    r = ca("token", "create", "--user", "alice", "--json", as_="dave", rc=0)
    o = r.json
    assert set(o) == {"token", "id"}, str(r)
    m = TOKEN_RE.fullmatch(o["token"])
    assert m and int(m.group(1)) == o["id"], str(r)
    assert o["id"] in tokens(ca)


def test_tokens_are_distinct(ca):
    # every token has a fresh id and a fresh secret
    seen_ids, seen_secrets = set(), set()
    for _ in range(5):
        _, tid, secret = create(ca)
        seen_ids.add(tid)
        seen_secrets.add(secret)
    assert len(seen_ids) == 5 and len(seen_secrets) == 5


def test_default_admin_may_create(ca):
    # without --as the OS user (init's pki-admin) acts
    r = ca("token", "create", "--user", "bob", rc=0)
    assert TOKEN_RE.fullmatch(r.stdout.strip())
    t = tokens(ca)[int(TOKEN_RE.fullmatch(r.stdout.strip()).group(1))]
    assert t["created_by"] == os_user() and t["user"] == "bob"


def test_token_for_any_role(ca):
    # a token can act for a non-admin user, e.g. an approver or an admin
    for user in ("bob", "olive", "dave"):
        _, tid, _ = create(ca, user=user)
        assert tokens(ca)[tid]["user"] == user


# --- who may ----------------------------------------------------------------

@pytest.mark.parametrize("actor", ["alice", "bob", "olive"])
def test_non_admin_refused(ca, actor):
    # only pki-admin creates, lists or revokes tokens; nothing changes
    _, tid, _ = create(ca)
    before = ca.audit_count()
    r = ca.fails(1, "token", "create", "--user", "alice", as_=actor)
    assert "pki-admin" in r.stderr and r.stdout == "", str(r)
    ca.fails(1, "token", "list", as_=actor)
    ca.fails(1, "token", "revoke", tid, as_=actor)
    assert ca.audit_count() == before
    assert tokens(ca)[tid]["status"] == "active"


def test_unknown_user_exit_2(ca):
    # a token for a user who does not exist: exit 2, nothing recorded
    before = ca.audit_count()
    r = ca.fails(2, "token", "create", "--user", "mallory", as_="dave")
    assert "mallory" in r.stderr and r.stdout == "", str(r)
    assert ca.audit_count() == before
    assert tokens(ca) == {}


def test_unknown_actor_exit_2(ca):
    # an acting user who does not exist
    ca.fails(2, "token", "create", "--user", "alice", as_="ghost")
    ca.fails(2, "token", "list", as_="ghost")


def test_missing_user_option(ca):
    # --user is required; stray arguments are refused
    ca.fails(2, "token", "create", as_="dave")
    ca.fails(2, "token", "create", "--user", "alice", "extra", as_="dave")
    ca.fails(2, "token", "list", "extra", as_="dave")


# --- expiry ------------------------------------------------------------------

def test_default_expiry_90_days(ca):
    # no --expires: 90 days
    _, tid, _ = create(ca)
    assert lifetime(tokens(ca)[tid]) == 90 * DAY


@pytest.mark.parametrize("spec,seconds", [
    ("30d", 30 * DAY), ("12h", 12 * 3600), ("90m", 90 * 60),
    ("365d", 365 * DAY), ("1s", 1)])
def test_expires_duration(ca, spec, seconds):
    # a duration counts from now
    _, tid, _ = create(ca, "--expires", spec)
    assert lifetime(tokens(ca)[tid]) == seconds


def test_expires_date(ca):
    # YYYY-MM-DD is midnight UTC of that day
    day = (datetime.datetime.now(datetime.timezone.utc) +
           datetime.timedelta(days=40)).date()
    _, tid, _ = create(ca, "--expires", day.isoformat())
    got = cwdata.parse_time(tokens(ca)[tid]["expires_at"])
    assert got == datetime.datetime(day.year, day.month, day.day,
                                    tzinfo=datetime.timezone.utc)


def test_expires_rfc3339(ca):
    # YYYY-MM-DDTHH:MM:SSZ is taken exactly
    when = (datetime.datetime.now(datetime.timezone.utc) +
            datetime.timedelta(days=10)).replace(microsecond=0)
    text = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    _, tid, _ = create(ca, "--expires", text)
    assert tokens(ca)[tid]["expires_at"] == text


@pytest.mark.parametrize("spec", [
    "366d", "8785h", "2020-01-01", "1970-01-01", "bogus", "0d", "-1d",
    "30", "30x", "d", "2027-02-30", "2027-13-01", "2027-01-01T25:00:00Z",
    "9999-12-31", ""])
def test_expires_refused(ca, spec):
    # past, beyond 365 days, or not a time: exit 2, nothing recorded
    before = ca.audit_count()
    r = ca.fails(2, "token", "create", "--user", "alice", "--expires",
                 spec, as_="dave")
    assert r.stdout == "", str(r)
    assert ca.audit_count() == before
    assert tokens(ca) == {}


def test_expires_date_beyond_a_year(ca):
    # a date more than 365 days ahead is refused too
    day = (datetime.datetime.now(datetime.timezone.utc) +
           datetime.timedelta(days=400)).date()
    r = ca.fails(2, "token", "create", "--user", "alice", "--expires",
                 day.isoformat(), as_="dave")
    assert "365" in r.stderr, str(r)


# --- list -------------------------------------------------------------------

def test_list_never_shows_the_token(ca):
    # neither the token, its secret nor its hash appear in list output
    text, tid, secret = create(ca)
    digest = hashlib.sha256(b"certward-token-v1" + secret).hexdigest()
    human = ca("token", "list", as_="dave", rc=0)
    js = ca("token", "list", "--json", as_="dave", rc=0)
    for r in (human, js):
        for needle in (text, text.split("_", 2)[2], digest):
            assert needle not in r.text, str(r)
    entry = tokens(ca)[tid]
    assert set(entry) == LIST_KEYS
    assert entry["user"] == "alice" and entry["created_by"] == "dave"
    assert entry["status"] == "active"
    assert entry["revoked_at"] is None and entry["last_used_at"] is None
    assert re.search(r"^%d\s+alice\s" % tid, human.stdout, re.M), str(human)


def test_list_empty(ca):
    # no tokens: an empty array, a header only
    assert ca.json("token", "list", as_="dave") == []
    r = ca("token", "list", as_="dave", rc=0)
    assert r.stdout.count("\n") == 1


def test_list_status_expired(ca):
    # a token past its expiry is listed as expired
    _, tid, _ = create(ca, "--expires", "1s")
    time.sleep(2.1)
    assert tokens(ca)[tid]["status"] == "expired"


def test_list_status_user_removed(ca):
    # removing the user shows its tokens as user-removed, also after the
    # name is added again
    _, tid, _ = create(ca, user="eve")
    ca("user", "remove", "eve", as_="dave", rc=0)
    assert tokens(ca)[tid]["status"] == "user-removed"
    time.sleep(1.1)
    ca("user", "add", "eve", "--role", "requester", as_="dave", rc=0)
    assert tokens(ca)[tid]["status"] == "user-removed"


# --- revoke ------------------------------------------------------------------

def test_revoke(ca):
    # revoke marks the token revoked; a second revoke exits 1
    _, tid, _ = create(ca)
    _, other, _ = create(ca)
    r = ca("token", "revoke", tid, as_="dave", rc=0)
    assert str(tid) in r.stdout
    t = tokens(ca)
    assert t[tid]["status"] == "revoked" and t[tid]["revoked_at"]
    assert t[other]["status"] == "active"
    before = ca.audit_count()
    r = ca.fails(1, "token", "revoke", tid, as_="dave")
    assert "already" in r.stderr
    assert ca.audit_count() == before


@pytest.mark.parametrize("arg,rc", [
    ("999", 2), ("abc", 2), ("0", 2), ("-1", 2), ("1x", 2)])
def test_revoke_bad_id(ca, arg, rc):
    # unknown or malformed ids exit 2
    ca.fails(rc, "token", "revoke", arg, as_="dave")


def test_revoke_needs_one_id(ca):
    # zero or two ids: usage error
    ca.fails(2, "token", "revoke", as_="dave")
    ca.fails(2, "token", "revoke", "1", "2", as_="dave")


# --- audit and storage ---------------------------------------------------------

def test_audit_events_without_secret(ca):
    # token.create and token.revoke are audited, by the actor, naming the
    # token, and the log verifies; no secret anywhere in the events
    text, tid, secret = create(ca, "--expires", "30d")
    ca("token", "revoke", tid, as_="dave", rc=0)
    evs = [e for e in ca.events() if e["action"].startswith("token.")]
    assert [e["action"] for e in evs] == ["token.create", "token.revoke"]
    for e in evs:
        assert e["object"] == "token:%d" % tid
        assert e["actor"] == "dave" and e["channel"] == "cli"
        blob = repr(e)
        assert text not in blob and text.split("_", 2)[2] not in blob
        assert hashlib.sha256(b"certward-token-v1" + secret).hexdigest() \
            not in blob
    log = ca.json("audit", "log", "--object", "token:%d" % tid)
    assert log[0]["details"] == {
        "id": tid, "user": "alice",
        "expires_at": tokens(ca)[tid]["expires_at"]}
    assert log[1]["details"] == {"id": tid, "user": "alice"}
    ca("audit", "verify", rc=0)


def test_secret_absent_from_data_directory(ca):
    # neither the token text, its base64url secret nor the raw secret bytes
    # are in any file of the data directory; the database holds exactly
    # SHA-256("certward-token-v1" || secret)
    made = [create(ca) for _ in range(3)]
    ca("token", "revoke", made[0][1], as_="dave", rc=0)
    everything = data_bytes(ca)
    for text, _, secret in made:
        assert text.encode() not in everything
        assert text.split("_", 2)[2].encode() not in everything
        assert secret not in everything
    rows = {r["id"]: r for r in ca.db_rows("SELECT * FROM tokens")}
    for _, tid, secret in made:
        assert rows[tid]["hash"] == hashlib.sha256(
            b"certward-token-v1" + secret).digest()
    assert all(set(r) >= {"hash"} and "secret" not in r
               for r in rows.values())


def test_migration_adds_tokens_table(ca):
    # a database from before tokens (schema version 1) gains the table
    # when opened
    if ca.db_rows("PRAGMA user_version")[0]["user_version"] != 2:
        pytest.skip("later migrations exist; rolling back to 1 would "
                    "re-run them too")
    con = sqlite3.connect(ca.db, timeout=30)
    try:
        con.execute("DROP TABLE tokens")
        con.execute("PRAGMA user_version = 1")
        con.commit()
    finally:
        con.close()
    assert ca.json("token", "list", as_="dave") == []
    assert ca.db_rows("PRAGMA user_version")[0]["user_version"] == 2
    create(ca)
    ca("audit", "verify", rc=0)

"""``shopmine apikey create|list|revoke`` and the key store: shown once, stored only as keyed hashes."""

from __future__ import annotations

import json
import re
import stat

import pytest

from shopmine.api.keys import KeyStore


@pytest.fixture
def ws(tmp_path, run):
    assert run("init", tmp_path / "ws")[0] == 0
    return tmp_path / "ws"


def test_create_prints_the_key_once_and_stores_only_its_keyed_hash(ws, run):
    code, out, err = run("--workspace", ws, "apikey", "create", "--name", "frontend")
    assert code == 0, err
    key = out.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key)  # 32 random bytes, URL-safe
    assert "not shown again" in err
    stored = (ws / ".secret" / "api_keys.json").read_text()
    assert key not in stored
    [record] = json.loads(stored)["keys"]
    assert record["name"] == "frontend" and record["revoked"] is None and len(record["hash"]) == 64
    import hashlib
    import hmac

    pepper = (ws / ".secret" / "api_keys.key").read_bytes()
    assert record["hash"] == hmac.new(pepper, key.encode(), hashlib.sha256).hexdigest()
    assert record["hash"] != hashlib.sha256(key.encode()).hexdigest()  # not a plain hash
    for name in ("api_keys.json", "api_keys.key"):
        assert stat.S_IMODE((ws / ".secret" / name).stat().st_mode) == 0o600
    assert run("--workspace", ws, "apikey", "create")[1].strip() != key  # a second key: another one


def test_list_shows_names_and_states_never_keys_or_hashes(ws, run):
    key = run("--workspace", ws, "apikey", "create", "--name", "a")[1].strip()
    run("--workspace", ws, "apikey", "create", "--name", "b")
    assert run("--workspace", ws, "apikey", "revoke", "b")[0] == 0
    code, out, _ = run("--workspace", ws, "apikey", "list")
    assert code == 0
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") == 4}
    assert set(lines) == {"a", "b"}
    assert lines["a"].rstrip("│ ").endswith("no") and not lines["b"].rstrip("│ ").endswith("no")
    record = json.loads((ws / ".secret" / "api_keys.json").read_text())["keys"][0]
    assert key not in out and record["hash"] not in out


def test_duplicate_name_and_unknown_revoke_exit_2_naming_it(ws, run):
    run("--workspace", ws, "apikey", "create", "--name", "shop")
    code, _, err = run("--workspace", ws, "apikey", "create", "--name", "shop")
    assert code == 2 and "--name: a key named 'shop' exists already" in err
    code, _, err = run("--workspace", ws, "apikey", "revoke", "ghost")
    assert code == 2 and "no API key named 'ghost' (keys: shop)" in err
    code, _, err = run("--workspace", ws, "apikey", "create", "--name", "bad name\x1b")
    assert code == 2 and "is not a key name" in err


def test_check_finds_the_key_and_its_state(tmp_path):
    store = KeyStore(tmp_path / ".secret")
    assert store.check("anything") is None  # no keys yet
    key = store.create("one")
    other = store.create("two")
    assert store.check(key).name == "one" and store.check(other).name == "two"
    assert store.check(key[:-1]) is None and store.check("") is None
    store.revoke("one")
    assert store.check(key).revoked is not None and store.check(other).revoked is None
    first = store.revoke("one").revoked
    assert store.revoke("one").revoked == first  # revoking again changes nothing

"""No traceback from text: invalid UTF-8 in arguments, lone surrogates in files, invisible
characters and newlines in what a person types each give one clear line, exit 2, and no change."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.crypto.canonical import canonical_json, loads_strict, parse_canonical_json
from inspector.crypto.signing import Domain, Envelope, b64encode
from inspector.errors import UserError
from inspector.paths import DataDir
from inspector.trust.documents import encode_document, load_trustlist
from inspector.trust.lists import TRUSTLIST_FORMAT
from tests.helpers import PYTHON

Cli = Callable[..., tuple[int, str, str]]
BAD = b"\xff\xfe-not-utf8"


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


@pytest.mark.parametrize(
    "argv",
    [
        [b"audit", b"new", b"--station", BAD],
        [b"audit", b"record", b"AUDIT", b"MAL-02", b"minor", b"--note", BAD],
        [b"audit", b"record", b"AUDIT", b"MAL-02", b"conform", b"--evidence", b"/tmp/" + BAD],
        [b"keys", b"init", b"--name", BAD, b"--id", b"AUD-1"],
        [b"hq", b"revoke", b"X", b"--reason", BAD],
        [b"verify", b"--payload", BAD],
    ],
    ids=["station", "note", "evidence-path", "name", "reason", "payload"],
)
def test_invalid_utf8_in_any_argument_is_one_line_and_writes_nothing(
    argv: list[bytes], trust_env: DataDir, open_audit: str, subprocess_env: dict[str, str]
) -> None:
    before = _files(trust_env.root)
    args = [a.replace(b"AUDIT", open_audit.encode()) for a in argv]
    result = subprocess.run(
        [PYTHON.encode(), b"-m", b"inspector", b"--data-dir", str(trust_env.root).encode(), *args],
        capture_output=True,
        env=subprocess_env,
        timeout=60,
    )
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2, err
    assert err.count("\n") == 1 and "not valid UTF-8" in err and "Traceback" not in err
    assert _files(trust_env.root) == before


@pytest.mark.parametrize("loader", [loads_strict, parse_canonical_json], ids=["strict", "canonical"])
def test_a_lone_surrogate_escape_is_refused_by_every_json_reader(loader: Any) -> None:
    with pytest.raises(UserError, match="not valid Unicode"):
        loader(b'{"note":"ab\\ud800"}', "record 3")
    assert loader('{"a":"\U0001f600"}'.encode(), "x") == {"a": "\U0001f600"}  # astral text itself is fine


def test_a_signed_trust_list_holding_a_lone_surrogate_is_one_line(hq_key: Any) -> None:
    """Even correctly signed, such a list is unusable: refused as text, not with a traceback."""
    payload = (
        canonical_json({"seq": 1, "issuer_name": "HQ-PLACEHOLDER"}).decode().replace("HQ-PLACEHOLDER", "H\\ud800Q")
    )
    root = hq_key
    envelope = Envelope(
        kid=root.public.kid_hex, payload=payload, sig=b64encode(root.sign(Domain.TRUSTLIST, payload.encode()))
    )
    data = encode_document(TRUSTLIST_FORMAT, envelope)
    with pytest.raises(UserError) as caught:
        load_trustlist(data, [root.public], "trust list x.json")
    assert "\n" not in str(caught.value) and "x.json" in str(caught.value)


@pytest.mark.parametrize(
    "note",
    ["paid \u202eevil", "zero\u200bwidth", "line\u2028sep", "bell\x07"],
    ids=["rtl-override", "zero-width-space", "line-separator", "control"],
)
def test_invisible_characters_in_notes_are_refused_like_in_names(
    run_cli: Cli, trust_env: DataDir, open_audit: str, note: str
) -> None:
    before = _files(trust_env.root)
    code, _, err = run_cli(
        "--data-dir", trust_env.root, "audit", "record", open_audit, "MAL-02", "minor", "--note", note
    )
    assert code == 2 and "invisible or control character" in err and err.count("\n") == 1
    assert _files(trust_env.root) == before


def test_devanagari_joiners_stay_allowed(run_cli: Cli, trust_env: DataDir, open_audit: str) -> None:
    code, _, err = run_cli(
        "--data-dir", trust_env.root, "audit", "record", open_audit, "MAL-02", "minor", "--note", "क्\u200dष रजिस्टर अधूरा"
    )
    assert code == 0, err


def test_a_newline_in_an_argument_keeps_the_error_on_one_line(run_cli: Cli, trust_env: DataDir) -> None:
    with pytest.raises(SystemExit) as caught:
        run_cli("--data-dir", trust_env.root, "audit", "new", "--station", "GBN\nS39", "--bogus\nflag")
    assert caught.value.code == 2


def test_hq_reason_with_a_newline_is_one_line(run_cli: Cli, hq_env: DataDir) -> None:
    code, _, err = run_cli("--data-dir", hq_env.root, "hq", "revoke-key", "0" * 16, "--reason", "two\nlines")
    assert code == 2 and err.count("\n") == 1
    assert json.dumps(err)  # printable

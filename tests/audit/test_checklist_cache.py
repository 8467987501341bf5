"""The checklist remembered by content within one process (``inspector.audit.checklist_cache``):
parsed once per distinct TOML, an edit is another checklist, and nothing is kept on disk, so no
file beside the data can stand in for the checklist a bundle carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import inspector.audit.checklist as checklist_module
from inspector.audit import checklist_cache
from inspector.audit.checklist import ChecklistInvalid, default_checklist_path, parse_checklist


@pytest.fixture
def shipped() -> bytes:
    return default_checklist_path().read_bytes()


@pytest.fixture(autouse=True)
def no_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checklist_cache, "_MEMO", {})


def test_a_checklist_is_parsed_once_per_process(shipped: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    first = checklist_cache.checklist_of_bytes(shipped, "shipped")
    assert first.content_hash == parse_checklist(shipped, "shipped").content_hash

    def refuse(_text: str) -> Any:
        raise AssertionError("parsed again")

    monkeypatch.setattr(checklist_module.tomllib, "loads", refuse)
    assert checklist_cache.checklist_of_bytes(shipped, "shipped") is first


def test_an_edited_toml_is_another_checklist(shipped: bytes) -> None:
    original = checklist_cache.checklist_of_bytes(shipped, "shipped")
    edited = shipped.decode("utf-8").replace(f'version = "{original.version}"', 'version = "9.9.9"', 1).encode()
    other = checklist_cache.checklist_of_bytes(edited, "edited")
    assert other.version == "9.9.9" and other.content_hash != original.content_hash


def test_an_invalid_checklist_is_refused_every_time(shipped: bytes) -> None:
    broken = shipped.replace(b"[[sections]]", b"[[sections", 1)
    for _ in range(2):
        with pytest.raises(ChecklistInvalid):
            checklist_cache.checklist_of_bytes(broken, "broken")
    assert checklist_cache._MEMO == {}


def test_verification_writes_no_cache_beside_the_data(
    audit_service: Any, closed_audit: str, bundle: Path, hq_env: Any, trust_env: Any
) -> None:
    from inspector.audit.verify import verify_local
    from inspector.hq.intake import import_bundle

    assert verify_local(audit_service, closed_audit, None).audit_id
    import_bundle(hq_env, bundle)
    for data in (trust_env, hq_env):
        assert not list(data.root.glob("cache/checklist-*"))


def test_a_planted_cache_file_cannot_stand_in_for_an_edited_checklist(
    bundle: Path, hq_env: Any, tmp_path: Path
) -> None:
    """Found in review of the first cache (kept on disk): edit the bundle's checklist.toml and
    plant, under the edited bytes' hash, the data of the genuine checklist; HQ then registered
    the bundle. With nothing read from disk the edit is refused whatever lies in ``cache/``."""
    import hashlib
    import json
    import tomllib

    from inspector.hq.intake import ImportRefused, import_bundle, registered
    from tests.helpers import write_zip, zip_members

    members = zip_members(bundle)
    original = members["checklist.toml"]
    edited = original.replace(b"traceable", b"traceablE", 1)
    assert edited != original
    members["checklist.toml"] = edited
    forged = write_zip(tmp_path / "forged.zip", members)
    digest = hashlib.sha256(edited).hexdigest()
    cache = hq_env.root / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    data = json.dumps(tomllib.loads(original.decode("utf-8")), ensure_ascii=False, separators=(",", ":"))
    planted = f'{{"format":"inspector-checklist-cache/1","sha256":"{digest}","data":{data}}}'
    (cache / f"checklist-{digest[:32]}.json").write_text(planted, encoding="utf-8")
    with pytest.raises(ImportRefused):
        import_bundle(hq_env, forged)
    assert registered(hq_env) == []

"""One set of reason codes for the Python verifier and the phone page (inspector/web).

The page's scripts read as text, no browser: every code they can emit must be a Python code
(``inspector.errors.ReasonCode`` or a ``psc1.PayloadError`` code) or one of the page's own,
listed here; every ``ReasonCode`` must have an English and a Hindi text in page.js; and no
script recovers a code from message text. tests/web/test_web_verifier.py then checks, in
Chromium, that the page gives the same codes as ``verify_payload`` on every shared vector.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import inspector
from inspector.certificates import psc1
from inspector.errors import ReasonCode
from inspector.hq.publish import SCRIPT_FILES, SERVICE_WORKER

from . import webvectors as W

WEB = Path(inspector.__file__).parent / "web"

REASON_CODES = {code.value for code in ReasonCode}

# The codes of psc1.PayloadError (malformed scanned text or payload). A raise may span lines,
# so the code is the first string argument after any white space.
PAYLOAD_CODES = set(re.findall(r'PayloadError\(\s*"([a-z0-9-]+)"', Path(psc1.__file__).read_text(encoding="utf-8")))

# Python verdict reasons that cannot arise on the page: it always holds a trust list (without a
# usable one it says "trustlist-unusable"), and it checks QR payloads, never certificate records.
NOT_ON_PAGE = {ReasonCode.NO_TRUST.value, ReasonCode.RECORD_MISMATCH.value}

# Codes only the page has: conditions of the page itself, which Python's verifier cannot meet
# or reports as an exit status (and so webvectors.python_verdict names them the page's way).
PAGE_ONLY_REASONS = {
    "trustlist-unusable",  # the embedded trust list or a pinned root fails to load (CLI: exit 2)
    "crl-unusable",  # the embedded revocation list fails to load (CLI: exit 2)
    "status-unusable",  # the embedded certificate status list fails to load (CLI: exit 2)
    "no-ed25519",  # this browser's WebCrypto cannot check Ed25519 signatures
    "insecure-context",  # opened over plain http://, where browsers offer no WebCrypto
    "internal-error",  # a bug in the page: it says it cannot decide rather than guess
}
# Warnings: verify.py's are sentences without codes; the page tags them (webvectors._WARNINGS
# maps the sentences to these for the shared vectors).
PAGE_ONLY_WARNINGS = {"trustlist-stale", "no-crl", "crl-stale", "status-stale"}
PAGE_ONLY = PAGE_ONLY_REASONS | PAGE_ONLY_WARNINGS
# Malformed input (the PayloadError codes) is shown with the one text for a damaged code
# (page.js DAMAGED, data-text="damaged" in the page): a text, not a code.

# Where a code is written: the first argument of these calls, in every script ...
EMITTER = re.compile(
    r"(?<!function )(?<!get )\b(?:new\s+(?:R\.)?(?:PayloadError|UnusableError|DecodeError)|(?:R\.)?reason)\(\s*([^,()]*)"
)
# ... and of verdict.js's fail() and warn() (trust.js's Fields.fail takes a field name instead).
VERDICT_EMITTER = re.compile(r"\b(fail|warn)\(\s*([^,()]*)")
# What may stand for a code written elsewhere: an error's own code (a DecodeError's becoming a
# PayloadError's, a PayloadError's becoming the verdict's reason).
PASS_THROUGH = {"e.code", "this.code"}
# verdict.js's fail() and warn() hand their own `code` on to reason(); their calls are checked.
WRAPPER_ARGUMENT = {"verdict.js": "code"}
LITERAL = re.compile(r'"([a-z0-9]+(?:-[a-z0-9]+)*)"')


def _script(name: str) -> str:
    return (WEB / name).read_text(encoding="utf-8")


def _code_only(text: str) -> str:
    """The script without its comments (block comments and whole-line // comments)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"^\s*//.*$", "", text, flags=re.M)


def _literal(argument: str, where: str, forwarded: str | None = None) -> str | None:
    argument = argument.strip()
    if argument in PASS_THROUGH or argument == forwarded:
        return None
    match = LITERAL.fullmatch(argument)
    assert match, f"{where}: a code must be written as a kebab-case string literal, not {argument!r}"
    return match.group(1)


def _emitted() -> tuple[dict[str, set[str]], set[str]]:
    """(reason code -> scripts that emit it, warning codes) over every script the page inlines."""
    reasons: dict[str, set[str]] = {}
    warnings: set[str] = set()
    for name in SCRIPT_FILES:
        text = _code_only(_script(name))
        for match in EMITTER.finditer(text):
            code = _literal(match.group(1), name, WRAPPER_ARGUMENT.get(name))
            if code is not None:
                reasons.setdefault(code, set()).add(name)
        if name == "verdict.js":
            for match in VERDICT_EMITTER.finditer(text):
                code = _literal(match.group(2), f"{name} {match.group(1)}()")
                if code is None:
                    continue
                if match.group(1) == "warn":
                    warnings.add(code)
                else:
                    reasons.setdefault(code, set()).add(name)
    return reasons, warnings


def _object_literal(name: str, const: str) -> str:
    match = re.search(rf"const {const} = \{{\n(.*?)\n  \}};", _script(name), re.S)
    assert match, f"{name}: no `const {const} = {{...}};`"
    return match.group(1)


STRING = r'"((?:[^"\\]|\\.)*)"'


def page_reasons() -> dict[str, tuple[str, str]]:
    """page.js's REASONS: code -> (English, Hindi)."""
    block = _object_literal("page.js", "REASONS")
    entries = re.findall(rf'^\s*"([a-z0-9-]+)":\s*\[\s*{STRING},\s*{STRING}\s*\],?', block, re.M)
    keys = re.findall(r'^\s*"([a-z0-9-]+)":', block, re.M)
    assert [e[0] for e in entries] == keys, "an entry of REASONS is not [English, Hindi]"
    assert len(set(keys)) == len(keys), "a code is listed twice in REASONS"
    return {code: (en, hi) for code, en, hi in entries}


def test_python_codes_are_what_the_test_expects() -> None:
    # Guards the regex over psc1.py (a raise may span lines): it must find every code.
    assert {"bad-cbor", "bad-claim", "bad-cose", "bad-header", "bad-url", "duplicate-key"} <= PAYLOAD_CODES
    assert {"non-canonical-cbor", "bad-prefix", "bad-signature-size", "too-long"} <= PAYLOAD_CODES
    assert not PAYLOAD_CODES & REASON_CODES
    assert not PAGE_ONLY & (REASON_CODES | PAYLOAD_CODES)
    assert NOT_ON_PAGE <= REASON_CODES


def test_every_reason_code_has_english_and_hindi_text() -> None:
    texts = page_reasons()
    missing = sorted(REASON_CODES - set(texts))
    assert not missing, f"page.js REASONS has no text for {missing}"
    for code in sorted(REASON_CODES | PAGE_ONLY_REASONS):
        assert code in texts, f"page.js REASONS has no text for {code}"
        en, hi = texts[code]
        assert re.search(r"[A-Za-z]{3}", en) and not re.search(r"[\u0900-\u097f]", en), f"{code}: English text {en!r}"
        assert re.search(r"[\u0900-\u097f]", hi), f"{code}: Hindi text {hi!r}"


def test_page_texts_are_only_for_known_codes() -> None:
    stale = sorted(set(page_reasons()) - REASON_CODES - PAGE_ONLY_REASONS)
    assert not stale, f"page.js REASONS has texts for codes nothing emits: {stale}"
    warnings = set(re.findall(r'^\s*"([a-z0-9-]+)":', _object_literal("page.js", "WARNINGS"), re.M))
    assert warnings == PAGE_ONLY_WARNINGS


def test_scripts_emit_only_python_codes_and_the_listed_page_codes() -> None:
    reasons, warnings = _emitted()
    unknown = {
        code: sorted(where)
        for code, where in reasons.items()
        if code not in REASON_CODES | PAYLOAD_CODES | PAGE_ONLY_REASONS
    }
    assert not unknown, f"codes the page emits that Python does not know and PAGE_ONLY does not list: {unknown}"
    # The same cases, the same codes: every Python code the page can meet is one it emits ...
    assert set(reasons) & REASON_CODES == REASON_CODES - NOT_ON_PAGE
    assert set(reasons) & PAYLOAD_CODES == PAYLOAD_CODES
    # ... and PAGE_ONLY lists nothing the page no longer emits.
    assert set(reasons) & PAGE_ONLY_REASONS == PAGE_ONLY_REASONS
    assert warnings == PAGE_ONLY_WARNINGS == set(W._WARNINGS), f"warning codes: page {sorted(warnings)}"


def test_no_script_recovers_a_code_from_message_text() -> None:
    for name in SCRIPT_FILES:
        text = _code_only(_script(name))
        assert "reasonCode" not in text, name
        splits = re.findall(r".*\.split\(\s*[\"']:[\"']\s*\).*", text)
        # psc1.js's urlHost cuts a port off a host name; nothing else splits on ':'.
        allowed = ['    host = host.split(":")[0];'] if name == "psc1.js" else []
        assert splits == allowed, f"{name}: {splits}"


def test_every_web_script_is_inlined() -> None:
    # Every script but the service worker, which runs on its own (publish.py writes it beside the page).
    on_disk = sorted(p.name for p in WEB.glob("*.js") if p.name != SERVICE_WORKER)
    assert sorted(SCRIPT_FILES) == on_disk
    assert SCRIPT_FILES[-1] == "page.js"
    assert (WEB / SERVICE_WORKER).is_file() and SERVICE_WORKER not in SCRIPT_FILES


@pytest.mark.parametrize("name", [*SCRIPT_FILES, SERVICE_WORKER])
def test_split_modules_are_small_and_checked(name: str) -> None:
    text = _script(name)
    assert text.startswith("// @ts-check\n"), name
    assert text.count("\n") <= 530, f"{name} has {text.count(chr(10))} lines; split it along its seams"

"""Issue 16 goal 4 and the certificate's QR path: version, renders, reading pixels, verifying.

    python benchmarks/bench_qr.py [--runs 7] [--json FILE]

1. QR version of real certificates. One closed audit of the registry's longest-named station;
   for each verify URL HQ might configure (none, 20, 31, 33, 40 and 44 characters; the 40s both
   host-heavy and path-heavy) the trust list carrying it is installed and ``inspector cert issue``
   run; the version is read off the QR text it reports and its PNG is scanned back. Goal: at
   most version 13 at ECC Q for links up to 40 characters, and ``cert issue`` never failing on
   a 44-character one. The same certificate in the compact PSC2 form (``psc1.PREFIX_COMPACT``:
   the same claims and signature without the COSE framing, 21 characters less) is measured too:
   ``cert issue`` writes PSC1 until the issuer chooses PSC2 where only it fits. The other option of the goal (keep the display name in the payload) is
   measured on the same certificates: the version the issuer's own size rule gives them with
   the registry's longest name, and with a 40-character one, put back.
2. Renders ``cert issue`` writes (PNG at 12 px a module, SVG) against stock ``qrcode`` making
   and saving a PNG of the same text in the same run.
3. Reading a photo (``qr.decode_image``, what ``verify --image`` calls) against Pillow decoding
   the same file and zxing-cpp reading it once (QR only, default options): the clean PNG, a
   1080x1920 screenshot, a degraded photo. Ours also tries rotations, inversion and binarizers.
4. Verifying the scanned text: ``check_scan`` (what ``inspector verify`` and the app's verify
   screen call: lists read from disk, signature, claims, station names from the registry) and
   ``verify_payload`` alone, against raw Ed25519 verification of the same signed bytes.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import Figure, Report, Stat, arguments, check_runs, describe_machine
from _world import World, certificate_world, closed_audit, png_of
from PIL import Image, ImageFilter

URLS: list[tuple[str, str | None]] = [
    ("none", None),
    ("20, host and short path", "https://up.gov.in/v/"),
    ("31, host only", "https://verify.uppolice.gov.in/"),
    ("33, host and short path", "https://verify.uppolice.gov.in/c/"),
    ("40, host-heavy", "https://verify.uppolice.gov.in/cert/v1/"),
    ("40, path-heavy", "https://up.in/police/certificate/verify/"),
    ("44, host-heavy", "https://verify.uppolice.gov.in/certificates/"),
]
NAME_40 = "Kotwali Sector 39, Gautam Buddh Nagar PS"


def timed(fn: Callable[[], object], runs: int, min_seconds: float = 0.05) -> list[float]:
    """Seconds per call, one sample per run, each sample averaged over enough calls."""
    fn()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_seconds:
        fn()
        calls += 1
    calls = max(1, calls)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return samples


def paired(a: Callable[[], object], b: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Samples of ``a`` and ``b`` taken in alternation, so load hits both alike."""
    out_a: list[float] = []
    out_b: list[float] = []
    for _ in range(runs):
        out_a += timed(a, 1)
        out_b += timed(b, 1)
    return out_a, out_b


def install_url(world: World, url: str | None, work: Path) -> None:
    """HQ configures ``url`` (through its API: ``publish-verifier`` would refuse the long ones)
    and the laptop installs the trust list that carries it, with the commands a user runs."""
    from inspector.hq.enrolment import HQ

    HQ(world.root).set_verify_url(url)
    trustlist = work / "trustlist.json"
    trustlist.unlink(missing_ok=True)
    world.run("hq", "trustlist", "-o", trustlist)
    world.run("trust", "install", trustlist)


def versions(world: World, audit_id: str, station: dict[str, str], work: Path, report: Report) -> None:
    from inspector.certificates import psc1, qr
    from inspector.certificates.links import link_text

    for number, (label, url) in enumerate(URLS):
        install_url(world, url, work)
        if number:  # an audit leads to one certificate: each verify URL gets its own closed audit
            audit_id, _ = closed_audit(world, station["code"], work / f"audit-{number}")
        result = world.run("cert", "issue", audit_id, "--out", work / f"cert-{len(label)}", "--json", check=False)
        goal = "cert issue never fails" if url and len(url) > 40 else "<= v13 at ECC Q"
        if result.status != 0:
            report.add(
                Figure(
                    f"QR version, verify URL {label}",
                    goal,
                    "cert issue FAILED: " + result.stderr.decode()[-200:],
                    met=False,
                )
            )
            continue
        issued = json.loads(result.stdout)
        text = issued["qr_text"]
        version = qr.make_qr(text).version
        scanned = qr.decode_image(png_of(issued)) == [text]
        decoded = psc1.decode(psc1.parse_scanned(text))
        claims = psc1.parse_claims(decoded.payload)
        carried = [
            n
            for n, v in (("name", claims.station_name), ("date", claims.audit_date), ("type", claims.audit_type))
            if v is not None
        ]
        # Option A on the same certificate: the display name put back, sized by the issuer's rule.
        with_name = {}
        for name_label, name in (("registry's longest", station["name"][:40]), ("40 characters", NAME_40)):
            variant = claims.model_copy(update={"station_name": name, "audit_date": None, "audit_type": None})
            length = psc1.text_length(variant)
            with_name[name_label] = qr.qr_version(link_text(url, psc1.PREFIX + "A" * (length - len(psc1.PREFIX))))
        # The compact form (PSC2) of this very certificate: same claims, same signature.
        compact = link_text(url, psc1.to_compact_text(decoded.kid, decoded.signature, decoded.payload))
        compact_ok = psc1.verify_signature(psc1.decode(psc1.parse_scanned(compact)), _signer_key(world, decoded))
        compact_version = qr.make_qr(compact).version
        chosen = _with_compact(claims, url)
        met = scanned and (version <= psc1.MAX_QR_VERSION if goal.startswith("<=") else True)
        report.add(
            Figure(
                name=f"QR version, verify URL {label}",
                goal=goal,
                measured=(
                    f"v{version} ({len(text)} characters; optional claims kept: {', '.join(carried) or 'none'}; "
                    f"PNG scans back: {scanned})"
                ),
                anchor=(
                    f"the same certificate in the compact PSC2 form: v{compact_version} ({len(compact)} characters, "
                    f"verifies: {compact_ok}); an issuer that also tries PSC2 (where only it fits) would give {chosen}; "
                    "with the display name kept instead (option A): "
                    + ", ".join(f"{k} name v{v}" for k, v in with_name.items())
                ),
                met=met,
            )
        )


def _with_compact(claims: Any, url: str | None) -> str:
    """What ``cert issue`` would write if its size rule (``issue._fitting``) also tried the compact
    form: the fullest claims in PSC1 within v13, else the fullest in PSC2 within v13, else the
    smallest code. Sized as the issuer sizes (kid and signature lengths are fixed)."""
    from inspector.certificates import psc1, qr
    from inspector.certificates.links import link_text

    full = claims.model_copy(update={"station_name": None})
    variants = [full, full.model_copy(update={"audit_type": None, "audit_date": None})]
    sized = []
    for compact in (False, True):
        prefix = psc1.PREFIX_COMPACT if compact else psc1.PREFIX
        for number, variant in enumerate(variants):
            length = psc1.text_length(variant, compact=compact)
            version = qr.qr_version(link_text(url, prefix + "A" * (length - len(prefix))))
            sized.append((version, prefix[:4], "date, type" if number == 0 else "none"))
    version, form, kept = next((row for row in sized if row[0] <= psc1.MAX_QR_VERSION), min(sized))
    return f"v{version} ({form}, optional claims kept: {kept})"


def _signer_key(world: World, decoded: Any) -> Any:
    """The enrolled key whose kid the certificate names, from the trust list installed in ``world``."""
    from inspector.paths import DataDir
    from inspector.trust.verifier import VerifierLists

    trust = VerifierLists(DataDir(Path(world.env["INSPECTOR_HOME"]))).trustlist()
    assert trust is not None
    return trust.candidates(decoded.kid_hex)[0].key


def degraded(png: bytes, seed: int = 0) -> bytes:
    """Rotated 14 degrees, 400 px wide, blurred, noisy, JPEG quality 60: a poor phone photo."""
    code = Image.open(io.BytesIO(png)).convert("L")
    paper = Image.new("L", (code.width + 160, code.height + 160), 230)
    paper.paste(code, (80, 80))
    scene = paper.rotate(14, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=90)
    scene = scene.resize((400, round(400 * scene.height / scene.width)), Image.Resampling.LANCZOS)
    scene = scene.filter(ImageFilter.GaussianBlur(1.0))
    noise = Image.frombytes("L", scene.size, random.Random(seed).randbytes(scene.width * scene.height))
    out = io.BytesIO()
    Image.blend(scene, noise, 0.2).save(out, "JPEG", quality=60)
    return out.getvalue()


def screenshot(png: bytes) -> bytes:
    """The code as a phone screenshot of the certificate: 1080x1920, the code 600 px wide."""
    code = Image.open(io.BytesIO(png)).convert("L").resize((600, 600), Image.Resampling.NEAREST)
    canvas = Image.new("L", (1080, 1920), 245)
    canvas.paste(code, (240, 700))
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()


def renders(text: str, runs: int, report: Report) -> None:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_Q

    from inspector.certificates import qr

    def ours() -> None:  # what render.write_outputs makes for the PNG and the SVG
        qr.png_bytes(text, box_size=12)
        qr.svg_text(text)

    def stock() -> None:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=12, border=4)
        code.add_data(text)
        code.make(fit=True)
        code.make_image().save(io.BytesIO())

    mine, theirs = paired(ours, stock, runs)
    ratio = Stat.of([a / b for a, b in zip(mine, theirs)])
    report.add(
        Figure(
            "QR render: PNG (12 px/module) + SVG, as cert issue writes them",
            "< 100 ms",
            Stat.of(mine).show(),
            anchor=f"stock qrcode make + PNG of the same text {Stat.of(theirs).show()}",
            ratio=ratio.median,
            ratio_spread=(ratio.low, ratio.high),
            met=Stat.of(mine).median < 0.1,
        )
    )


def decodes(png: bytes, runs: int, report: Report) -> None:
    import zxingcpp

    from inspector.certificates import qr

    for label, data in (
        ("clean certificate PNG", png),
        ("1080x1920 screenshot", screenshot(png)),
        ("degraded photo", degraded(png)),
    ):
        image = Image.open(io.BytesIO(data)).convert("L")
        formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        if not qr.decode_image(data):
            report.add(Figure(f"decode_image, {label}", "reads it", "NOT READ", met=False))
            continue

        def raw(data: bytes = data) -> object:  # the file decoded and read by zxing-cpp, nothing else
            return zxingcpp.read_barcodes(Image.open(io.BytesIO(data)).convert("L"), formats=formats)

        mine, raw_times = paired(lambda: qr.decode_image(data), raw, runs)
        ratio = Stat.of([a / b for a, b in zip(mine, raw_times)])
        report.add(
            Figure(
                f"qr.decode_image, {label} ({image.width}x{image.height})",
                "- (information)",
                Stat.of(mine).show(digits=2),
                anchor=f"the file decoded by Pillow and read by zxing-cpp, QR only: {Stat.of(raw_times).show(digits=2)}",
                ratio=ratio.median,
                ratio_spread=(ratio.low, ratio.high),
            )
        )


def verifies(world: World, text: str, runs: int, report: Report) -> None:
    from inspector.certificates import psc1
    from inspector.certificates.verify import verify_payload
    from inspector.crypto.signing import Domain, sig_structure
    from inspector.paths import DataDir
    from inspector.services.scan import check_scan, installed_lists

    data = DataDir(world.root)
    lists = installed_lists(data)
    trust, crl = lists[0], lists[1]
    scanned = check_scan(data, text)
    decoded = psc1.decode(psc1.parse_scanned(text))
    [entry] = [e for e in trust.candidates(decoded.kid_hex)][:1]
    raw_key: Any = entry.key._key  # the cryptography object: the primitive alone
    message = sig_structure(Domain.CERT, decoded.protected, decoded.payload)
    signature = decoded.signature

    def raw() -> None:
        raw_key.verify(signature, message)

    for label, fn, goal in (
        (
            "check_scan (what inspector verify and the app call; lists read from disk)",
            lambda: check_scan(data, text),
            "- (information)",
        ),
        ("verify_payload (lists in memory)", lambda: verify_payload(text, trust, crl), ">= 0.5x raw"),
    ):
        mine, base = paired(fn, raw, runs)
        ratio = Stat.of([b / a for a, b in zip(mine, base)])  # rate ratio: raw time / our time
        report.add(
            Figure(
                f"verify a scanned certificate: {label}",
                goal,
                f"{Stat.of(mine).show('us', 1e6)} a certificate",
                anchor=f"raw Ed25519 verify of the same signed bytes {Stat.of(base).show('us', 1e6)}",
                ratio=ratio.median,
                ratio_spread=(ratio.low, ratio.high),
                met=ratio.median >= 0.5 if goal.startswith(">=") else None,
            )
        )
    report.context["verdict of the benchmark certificate"] = (
        "VALID" if scanned.verdict.valid else ", ".join(scanned.verdict.reasons)
    )


def main() -> int:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    runs = check_runs(args.runs)
    tmp = Path(tempfile.mkdtemp(prefix="bench-qr-"))
    report = Report("Certificate QR (issue 16 goal 4): versions of real certificates, renders, reading, verifying")
    report.context.update(describe_machine())
    report.context["runs"] = runs
    try:
        # A certificate granted at HQ, its status list installed: the VALID path users take.
        world, station, issued, text = certificate_world(tmp)
        report.context["station"] = (
            f"{station['code']}, the registry's longest name: {station['name']!r} ({len(station['name'])} characters)"
        )
        if world.notes:
            report.context["setup notes"] = "; ".join(world.notes)
        png = png_of(issued).read_bytes()
        renders(text, runs, report)
        decodes(png, runs, report)
        verifies(world, text, runs, report)
        # Another closed audit of the same station, issued once under each verify URL.
        audit_id, written = closed_audit(world, station["code"], tmp / "work")
        report.context["audit"] = f"{written} findings, closed"
        versions(world, audit_id, station, tmp / "work", report)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.print()
    report.write(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

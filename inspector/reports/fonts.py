"""The report's fonts, made once per data directory and kept in its ``cache/`` folder.

Both layouts use Noto Sans Devanagari (the variable font the certificate uses): the PDF needs a
bold instance of it (fontTools' instancer, about 1 s) and the HTML the subset ``@font-face``
rules of :func:`inspector.certificates.printing.devanagari_font_css` (about 2 s). Neither
depends on the audit, so the first report made in a data directory keeps them under names
keyed by the SHA-256 of the font file and of the rules' parameters; later reports read them
back in milliseconds. A cache that cannot be written (read-only medium) only costs the time.
Anyone able to change the cache could equally change the installed font itself.
"""

from __future__ import annotations

import functools
import hashlib
import io
from pathlib import Path

from inspector._io.atomic import atomic_write
from inspector.certificates import printing

CACHE_VERSION = "1"
BOLD_WEIGHT = 700.0


@functools.cache
def font_path() -> Path:
    return printing._font_path()


@functools.cache
def _font_key() -> str:
    digest = hashlib.sha256(font_path().read_bytes())
    digest.update(
        repr((CACHE_VERSION, printing.FONT_FAMILY, printing.FONT_RANGES, printing.FONT_WEIGHTS, BOLD_WEIGHT)).encode()
    )
    return digest.hexdigest()[:24]


def _cached(cache_dir: Path | None, name: str, make: functools.partial[bytes]) -> bytes:
    path = cache_dir / name if cache_dir is not None else None
    if path is not None:
        try:
            return path.read_bytes()
        except OSError:
            pass
    data = make()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data, mode=0o644)
        except OSError:
            pass  # a read-only data directory: made again next time
    return data


def _bold_ttf() -> bytes:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
    from fontTools.varLib import instancer  # type: ignore[import-untyped]

    font = TTFont(str(font_path()), recalcTimestamp=False)
    face = instancer.instantiateVariableFont(font, {"wght": BOLD_WEIGHT, "wdth": 100}, inplace=False)
    out = io.BytesIO()
    face.save(out)
    return out.getvalue()


def _css() -> bytes:
    return printing.devanagari_font_css().encode("utf-8")


def bold_font_file(cache_dir: Path | None) -> Path | None:
    """Noto Sans Devanagari at weight 700 as a static TrueType file in the cache (fpdf2 reads
    fonts from files); None when there is no writable cache (the PDF then instantiates it)."""
    if cache_dir is None:
        return None
    path = cache_dir / f"report-font-bold-{_font_key()}.ttf"
    _cached(cache_dir, path.name, functools.partial(_bold_ttf))
    return path if path.is_file() else None


def font_css(cache_dir: Path | None) -> str:
    """The ``@font-face`` rules embedding the Devanagari font (as the certificate's page has)."""
    return _cached(cache_dir, f"report-font-{_font_key()}.css", functools.partial(_css)).decode("utf-8")

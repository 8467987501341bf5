"""QR codes for PSC1 certificates: rendering (PNG, SVG, terminal) and reading photos.

Rendering follows reference qr-credentials.md §8.7: ECC Q, a 4-module quiet zone, the bare
``PSC1:`` (or compact ``PSC2:``) text as one alphanumeric segment, and at most version 13 (``QRTooLarge`` otherwise),
so that a 70-80 mm print has modules of about 1 mm. A verify link ``HTTPS://HOST/path#PSC1:...``
is carried as an alphanumeric segment for the upper-case start of the link (scheme and host,
which ``links.compact_link`` upper-cases), a byte segment for the rest of the link and the ``#``
(lower case and ``#`` are not alphanumeric characters), and the payload as an alphanumeric
segment. A link may take the QR up to ``MAX_LINK_QR_VERSION`` (see psc1's docstring).

qrcode 8.2 raises ``ValueError: glog(0)`` when a Reed-Solomon block of data codewords is all zero
(lincolnloop/python-qrcode #330/#423, fixed upstream after 8.2). ``_SafeQRCode`` computes the
codewords itself (``_codewords``) and hands them to qrcode's data cache, so qrcode only places
modules and picks the mask. A test checks the codewords equal qrcode's wherever qrcode works.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from os import PathLike
from pathlib import Path
from typing import Any

import qrcode
import qrcode.base
import qrcode.exceptions
import qrcode.util
from qrcode.constants import ERROR_CORRECT_Q

from inspector._io.files import read_user_file
from inspector.certificates.psc1 import MAX_LINK_QR_VERSION, MAX_QR_VERSION, PREFIX, PREFIXES, QRTooLarge
from inspector.errors import UserError

__all__ = [
    "ImageError",
    "QRTooLarge",
    "decode_image",
    "make_qr",
    "matrix",
    "png_bytes",
    "qr_version",
    "svg_text",
    "terminal_lines",
    "version_cap",
    "write_png",
    "write_svg",
]

BORDER = 4  # modules of quiet zone on every side (ISO/IEC 18004 minimum)
_ALNUM = frozenset(qrcode.util.ALPHA_NUM.decode("ascii"))
_PAD_CODEWORDS = (0xEC, 0x11)


class ImageError(UserError):
    """An image file that cannot be read as a picture."""


class _SafeQRCode(qrcode.QRCode):  # type: ignore[misc]  # qrcode ships no type information
    """qrcode.QRCode with Reed-Solomon coding that survives all-zero blocks (see module doc)."""

    def makeImpl(self, test: bool, mask_pattern: int) -> None:
        if self.data_cache is None:  # type: ignore[has-type]
            self.data_cache = _codewords(self.version, self.error_correction, self.data_list)
        super().makeImpl(test, mask_pattern)


# ---------------------------------------------------------------------------------------------
# Building the symbol


def _segments(text: str) -> list[qrcode.util.QRData]:
    """The segments of ``text``: one alphanumeric segment for bare PSC1 text; for a verify link,
    as much of the link as the alphanumeric set allows, a byte segment for the rest of it and the
    ``#``, then the payload as an alphanumeric segment."""
    if not isinstance(text, str) or not text:
        raise ValueError("QR text must be a non-empty string")
    if text.startswith(PREFIXES):
        return [_alnum(text)]
    link, hash_mark, fragment = text.partition("#")
    if hash_mark and fragment.startswith(PREFIXES) and _is_https_link(link):
        head = _alnum_head(link)
        # An upper-case scheme and host (see links.compact_link) pack 5.5 bits a character
        # instead of 8. A lower-case path must stay as it is (servers tell case apart), so it
        # goes into the byte segment with the '#'; a mode switch costs about 17 bits, which a
        # head of 7 or more characters repays.
        if len(head) >= _MIN_ALNUM_HEAD:
            tail = link[len(head) :] + "#"
            return [
                _alnum(head),
                qrcode.util.QRData(tail.encode("ascii"), mode=qrcode.util.MODE_8BIT_BYTE),
                _alnum(fragment),
            ]
        return [
            qrcode.util.QRData((link + "#").encode("utf-8"), mode=qrcode.util.MODE_8BIT_BYTE),
            _alnum(fragment),
        ]
    raise ValueError(f"QR text must be {PREFIX}... or https://host/path#{PREFIX}...")


_MIN_ALNUM_HEAD = 7


def _alnum_head(link: str) -> str:
    """The longest start of ``link`` made only of QR alphanumeric characters."""
    for index, char in enumerate(link):
        if char not in _ALNUM:
            return link[:index]
    return link


def _is_https_link(link: str) -> bool:
    # Printable ASCII only: readers decode byte segments as ISO-8859-1 unless told otherwise.
    return link[:8].lower() == "https://" and link.isascii() and link.isprintable() and " " not in link


def _alnum(text: str) -> qrcode.util.QRData:
    bad = sorted(set(text) - _ALNUM)
    if bad:
        raise ValueError(f"not QR alphanumeric characters: {''.join(bad)!r}")
    return qrcode.util.QRData(text, mode=qrcode.util.MODE_ALPHA_NUM)


def version_cap(text: str) -> int:
    """The largest version a certificate's QR may take: ``MAX_QR_VERSION`` for the bare payload,
    ``MAX_LINK_QR_VERSION`` for a verify link (see psc1's module docstring)."""
    return MAX_QR_VERSION if text.startswith(PREFIXES) else MAX_LINK_QR_VERSION


def make_qr(text: str, max_version: int | None = None) -> qrcode.QRCode:
    """A compiled QR code (ECC Q, 4-module border). ``QRTooLarge`` above ``max_version``
    (by default ``version_cap(text)``)."""
    segments = _segments(text)
    version = _fit(segments, text)
    if max_version is None:
        max_version = version_cap(text)
    if version > max_version:
        raise QRTooLarge(
            f"QR text of {len(text)} characters needs version {version} at ECC Q; at most {max_version} allowed"
        )
    qr = _SafeQRCode(version=version, error_correction=ERROR_CORRECT_Q, border=BORDER)
    for segment in segments:
        qr.add_data(segment)
    qr.make(fit=False)
    return qr


def qr_version(text: str) -> int:
    """The QR version ``make_qr`` would use for ``text`` (no version cap applied here)."""
    return _fit(_segments(text), text)


def _fit(segments: Sequence[qrcode.util.QRData], text: str) -> int:
    """Smallest version at ECC Q that holds the segments.

    Computed here rather than with ``QRCode.best_fit``, which in 8.2 raises a bare
    ``ValueError("Invalid version (was 41 ...)")`` instead of ``DataOverflowError`` for too much data.
    """
    limits = qrcode.util.BIT_LIMIT_TABLE[ERROR_CORRECT_Q]
    for version in range(1, 41):
        bits = sum(4 + qrcode.util.length_in_bits(s.mode, version) + _payload_bits(s) for s in segments)
        # The character-count field must also hold the length (matters only near the top).
        fits_count = all(len(s) < 1 << qrcode.util.length_in_bits(s.mode, version) for s in segments)
        if bits <= limits[version] and fits_count:
            return version
    raise QRTooLarge(f"{len(text)} characters do not fit any QR code at ECC Q")


def _payload_bits(segment: qrcode.util.QRData) -> int:
    length = len(segment)
    if segment.mode == qrcode.util.MODE_ALPHA_NUM:
        return 11 * (length // 2) + 6 * (length % 2)
    if segment.mode == qrcode.util.MODE_NUMBER:
        return 10 * (length // 3) + (0, 4, 7)[length % 3]
    return 8 * length


def matrix(text: str, border: int = BORDER, max_version: int | None = None) -> list[list[bool]]:
    """Module grid including the quiet zone; True is dark."""
    modules = make_qr(text, max_version).modules
    size = len(modules)
    light = [False] * (size + 2 * border)
    rows = [list(light) for _ in range(border)]
    rows += [[False] * border + [bool(m) for m in row] + [False] * border for row in modules]
    rows += [list(light) for _ in range(border)]
    return rows


# ---------------------------------------------------------------------------------------------
# Reed-Solomon codewords (ISO/IEC 18004 §7.4-7.6), independent of qrcode's polynomial class


def _codewords(version: int, error_correction: int, data_list: Sequence[qrcode.util.QRData]) -> list[int]:
    """Data and error-correction codewords, interleaved: what qrcode keeps in ``data_cache``."""
    blocks = qrcode.base.rs_blocks(version, error_correction)
    data = _data_codewords(version, data_list, sum(block.data_count for block in blocks))
    data_blocks: list[list[int]] = []
    ec_blocks: list[list[int]] = []
    offset = 0
    for block in blocks:
        chunk = data[offset : offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_rs_remainder(chunk, block.total_count - block.data_count))
    return _interleave(data_blocks) + _interleave(ec_blocks)


def _data_codewords(version: int, data_list: Sequence[qrcode.util.QRData], capacity: int) -> list[int]:
    buffer = qrcode.util.BitBuffer()
    for segment in data_list:
        buffer.put(segment.mode, 4)
        buffer.put(len(segment), qrcode.util.length_in_bits(segment.mode, version))
        segment.write(buffer)
    limit = capacity * 8
    if len(buffer) > limit:
        raise qrcode.exceptions.DataOverflowError(f"data needs {len(buffer)} bits, version {version} holds {limit}")
    for _ in range(min(limit - len(buffer), 4)):  # terminator
        buffer.put_bit(False)
    while len(buffer) % 8:
        buffer.put_bit(False)
    codewords = [byte & 0xFF for byte in buffer.buffer]
    while len(codewords) < capacity:
        codewords.append(_PAD_CODEWORDS[(len(codewords) - len(buffer.buffer)) % 2])
    return codewords


@cache
def _generator(degree: int) -> tuple[int, ...]:
    """Coefficients (highest first, monic) of prod(x - a^i) for i < degree over GF(256)."""
    poly = [1]
    for i in range(degree):
        factor = qrcode.base.gexp(i)
        nxt = poly + [0]
        for j, coefficient in enumerate(poly):
            nxt[j + 1] ^= _gmul(coefficient, factor)
        poly = nxt
    return tuple(poly)


def _gmul(a: int, b: int) -> int:
    if a == 0 or b == 0:  # log(0) is undefined: the exact case qrcode 8.2 trips over
        return 0
    return int(qrcode.base.gexp(qrcode.base.glog(a) + qrcode.base.glog(b)))


def _rs_remainder(data: Sequence[int], degree: int) -> list[int]:
    """Remainder of data(x)·x^degree divided by the generator: plain long division, zeros allowed."""
    generator = _generator(degree)
    remainder = [0] * degree
    for codeword in data:
        factor = codeword ^ remainder[0]
        remainder = remainder[1:] + [0]
        if factor:
            for i in range(degree):
                remainder[i] ^= _gmul(generator[i + 1], factor)
    return remainder


def _interleave(blocks: Sequence[Sequence[int]]) -> list[int]:
    longest = max(len(block) for block in blocks)
    return [block[i] for i in range(longest) for block in blocks if i < len(block)]


# ---------------------------------------------------------------------------------------------
# Rendering


def _image(text: str, box_size: int, max_version: int | None) -> Any:
    from PIL import Image

    if isinstance(box_size, bool) or not isinstance(box_size, int) or box_size < 1:
        raise ValueError("box_size must be a whole number of pixels per module (>= 1)")
    grid = matrix(text, max_version=max_version)
    size = len(grid)
    image = Image.new("L", (size, size), 255)
    image.putdata([0 if dark else 255 for row in grid for dark in row])
    # Nearest-neighbour keeps every module an exact box_size x box_size square (no grey edges).
    return image.resize((size * box_size, size * box_size), Image.Resampling.NEAREST)


def png_bytes(text: str, box_size: int = 10, max_version: int | None = None) -> bytes:
    out = io.BytesIO()
    _image(text, box_size, max_version).save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_png(
    text: str,
    path: str | PathLike[str],
    box_size: int = 10,
    max_version: int | None = None,
) -> None:
    """Write a PNG with ``box_size`` pixels per module (print at an integer dots-per-module)."""
    Path(path).write_bytes(png_bytes(text, box_size, max_version))


def svg_text(text: str, module_mm: float | None = None, max_version: int | None = None) -> str:
    """An SVG with one path of unit squares; the viewBox counts modules, quiet zone included.

    ``module_mm`` sets width/height in millimetres; without it the SVG scales to its container
    (printing.py sizes it with CSS). ``crispEdges`` stops anti-aliased seams between modules.
    """
    grid = matrix(text, max_version=max_version)
    size = len(grid)
    runs: list[str] = []
    for y, row in enumerate(grid):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    dimension = f' width="{size * module_mm:g}mm" height="{size * module_mm:g}mm"' if module_mm else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {size} {size}"{dimension}'
        f' shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>\n'
    )


def write_svg(
    text: str,
    path: str | PathLike[str],
    module_mm: float | None = None,
    max_version: int | None = None,
) -> None:
    Path(path).write_text(svg_text(text, module_mm, max_version), encoding="utf-8")


_HALF_BLOCKS = {
    (False, False): " ",
    (True, False): "\u2580",
    (False, True): "\u2584",
    (True, True): "\u2588",
}


def terminal_lines(
    text: str,
    invert: bool = False,
    border: int = BORDER,
    max_version: int | None = None,
) -> list[str]:
    """The QR as text, two modules per character row (upper/lower half blocks).

    Glyphs paint the terminal's foreground colour. On a dark-on-light terminal (``invert=False``)
    glyphs are the dark modules. On a light-on-dark terminal pass ``invert=True``: glyphs then
    paint the *light* modules and the quiet zone, so the code still reads dark-on-light, which is
    what phone scanners expect first. A v13 code with its quiet zone is 77 columns by 39 rows.
    """
    grid = matrix(text, border, max_version)
    if len(grid) % 2:
        grid.append([False] * len(grid[0]))  # one more quiet-zone row to complete the last pair
    lines = []
    for top, bottom in zip(grid[0::2], grid[1::2]):
        lines.append("".join(_HALF_BLOCKS[(t != invert, b != invert)] for t, b in zip(top, bottom)))
    return lines


# ---------------------------------------------------------------------------------------------
# Reading


def decode_image(source: str | PathLike[str] | bytes) -> list[str]:
    """Texts of the QR codes found in an image (path or encoded bytes); ``[]`` when none is found."""
    image = _load_image(source)
    found = _read(image)
    if not found and max(image.size) < _UPSCALE_BELOW:
        # Small, soft images (forwarded photos, screenshots) with ~3 px modules: a 2x bicubic
        # upscale gives the binarizer room; measured +3 of 48 synthetic degraded photos.
        from PIL import Image

        found = _read(image.resize((image.width * 2, image.height * 2), Image.Resampling.BICUBIC))
    return found


_UPSCALE_BELOW = 1200


def _read(image: Any) -> list[str]:
    import zxingcpp

    found: list[str] = []
    # LocalAverage copes with uneven light and is zxing's default; on blurred or noisy photos
    # the global binarizers often win (measured on synthetic degraded photos: 7, 14 and 30 of
    # 36 decoded by LocalAverage, GlobalHistogram, FixedThreshold). Later ones run only on failure.
    for binarizer in (
        zxingcpp.Binarizer.LocalAverage,
        zxingcpp.Binarizer.GlobalHistogram,
        zxingcpp.Binarizer.FixedThreshold,
    ):
        results = zxingcpp.read_barcodes(
            image,
            formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode),
            try_rotate=True,
            try_downscale=True,
            try_invert=True,
            binarizer=binarizer,
        )
        for result in results:
            if result.valid and result.text not in found:
                found.append(result.text)
        if found:
            break
    return found


IMAGE_FILE_LIMIT = 64 * 1024 * 1024  # bytes: far above any phone photo
IMAGE_PIXEL_LIMIT = 100_000_000  # a 100-megapixel photo; a decompression bomb claims far more


def _load_image(source: str | PathLike[str] | bytes) -> Any:
    import warnings

    from PIL import Image, ImageOps, UnidentifiedImageError

    what = "image data" if isinstance(source, (bytes, bytearray)) else f"image {source}"
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, PathLike)):
        try:
            data = read_user_file(source, "image", IMAGE_FILE_LIMIT)
        except UserError as exc:
            raise ImageError(str(exc)) from None
    else:
        raise ImageError(f"cannot read an image from a {type(source).__name__}")
    stream = io.BytesIO(data)
    try:
        # The header gives the size before any pixel is decoded: a small file claiming a huge
        # picture (a decompression bomb) is refused here, fast, and Pillow's own warning is
        # kept off the user's terminal.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened_cm = Image.open(stream)
        with stream, opened_cm as opened:
            width, height = opened.size
            if width * height > IMAGE_PIXEL_LIMIT:
                raise ImageError(
                    f"{what}: {width}x{height} pixels is too large to read safely (at most {IMAGE_PIXEL_LIMIT:,} pixels)"
                )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                opened.load()
            # Phones store portrait photos sideways plus an EXIF rotation flag.
            upright = ImageOps.exif_transpose(opened)
            return upright.convert("L")
    except UnidentifiedImageError:
        raise ImageError(f"{what}: not an image file (or a format Pillow cannot read)") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{what}: image is too large to read safely") from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt files
        raise ImageError(f"{what}: damaged image ({exc})") from None

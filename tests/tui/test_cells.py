"""Hindi is measured as the terminal draws it: spacing vowel signs take a cell (glibc's wcwidth),
non-spacing marks none, so lines, boxes and footers end where the terminal ends them."""

from __future__ import annotations

import ctypes
import ctypes.util
import locale

import pytest
from rich.cells import cell_len
from rich.segment import Segment
from textual.strip import Strip

import inspector.tui  # noqa: F401  (installs the widths)
from inspector.tui.cells import _split, spacing_marks

WORDS = ["कोतवाली सेक्टर 39", "किताब", "निगरानी ऑडिट की नियत तिथियाँ", "अनुरूप", "गंभीर गैर-अनुरूपता", "क्ष"]


def _wcswidth(text: str) -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    libc.wcswidth.restype = ctypes.c_int
    return int(libc.wcswidth(ctypes.c_wchar_p(text), len(text)))


@pytest.mark.parametrize("text", WORDS)
def test_rich_measures_hindi_as_glibc_does(text: str) -> None:
    try:
        locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
    except locale.Error:
        pytest.skip("no C.UTF-8 locale to ask glibc in")
    assert cell_len(text) == _wcswidth(text)
    assert Strip([Segment(text)]).cell_length == _wcswidth(text)


def test_spacing_marks_count_one_and_non_spacing_marks_none() -> None:
    assert cell_len("ा") == cell_len("ि") == cell_len("ः") == 1
    assert cell_len("्") == cell_len("ं") == cell_len("ँ") == 0
    assert 0x093E in spacing_marks() and 0x094D not in spacing_marks()


def test_split_takes_single_code_points_out_of_zero_ranges() -> None:
    assert _split([(0, 0, 0), (10, 20, 0), (30, 40, 2)], {10, 15, 20, 35}) == [
        (0, 0, 0),
        (11, 14, 0),
        (16, 19, 0),
        (30, 40, 2),
    ]

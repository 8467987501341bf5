"""Every catalogue of the app's words has both languages, the same fields, and real Hindi."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import inspector.tui.words as words_package
from inspector.tui.words import Catalogue

DEVANAGARI = re.compile("[\u0900-\u097f]")
# Words that read the same in Hindi (names, codes, units) may be written without Devanagari.
LATIN_IN_BOTH = re.compile(r"^[\s\W\d{}A-Z/_.-]*$")


def _catalogues() -> list[tuple[str, Catalogue]]:
    found = []
    for info in pkgutil.iter_modules(words_package.__path__):
        module = importlib.import_module(f"{words_package.__name__}.{info.name}")
        catalogue = getattr(module, "WORDS", None)
        assert isinstance(catalogue, Catalogue), f"{module.__name__} has no WORDS catalogue"
        found.append((module.__name__, catalogue))
    return found


def test_a_catalogue_refuses_a_missing_hindi_word() -> None:
    with pytest.raises(ValueError, match="both languages: title"):
        Catalogue(en={"title": "Title"}, hi={})
    with pytest.raises(ValueError, match="different fields"):
        Catalogue(en={"n": "{count} items"}, hi={"n": "{n} मद"})


def test_a_catalogue_formats_fields_in_either_language() -> None:
    words = Catalogue(en={"n": "{count} items"}, hi={"n": "{count} मद"})
    assert words("en", "n", count=3) == "3 items"
    assert words("hi", "n", count=3) == "3 मद"


CATALOGUES = _catalogues()


def test_the_screens_have_catalogues() -> None:
    assert len(CATALOGUES) >= 1


@pytest.mark.parametrize(("name", "catalogue"), CATALOGUES, ids=[name.rsplit(".", 1)[-1] for name, _ in CATALOGUES])
def test_every_hindi_word_is_hindi(name: str, catalogue: Catalogue) -> None:
    untranslated = [
        key
        for key in sorted(catalogue.keys() - catalogue.latin)
        if not DEVANAGARI.search(catalogue.hi[key]) and not LATIN_IN_BOTH.match(catalogue.hi[key])
    ]
    assert not untranslated, f"{name}: Hindi texts without Devanagari: {untranslated}"

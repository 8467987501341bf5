"""The footer's words in the session's language: binding descriptions from a screen's catalogue.

Textual's footer shows each binding's ``description``, fixed where the class declares its
``BINDINGS``. A screen that shows words in two languages gives each binding a short footer word
``foot_<binding id>`` in its catalogue, and calls :func:`translate_bindings` on mount and on
every language switch: the node's own bindings (a per-instance copy Textual makes from the
class's) are replaced by copies with the word in ``lang``. Ids, keys and actions stay, so a
keymap from ``config.toml`` still applies (Textual applies it to this map each time it builds
the binding chain).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode

    from inspector.tui.words import Catalogue


def reword_bindings(node: DOMNode, describe: Callable[[str], str | None]) -> None:
    """Give each of ``node``'s bindings with an id the description ``describe(id)`` (None: keep it)."""
    # ``_bindings`` is Textual's per-instance map of a node's bindings (DOMNode.__init__ copies
    # the class's); there is no public setter for a description.
    bindings = node._bindings.key_to_bindings
    for key, listed in list(bindings.items()):
        bindings[key] = [_reworded(binding, describe) for binding in listed]
    node.refresh_bindings()


def _reworded(binding: Binding, describe: Callable[[str], str | None]) -> Binding:
    description = describe(binding.id) if binding.id else None
    return binding if description is None else replace(binding, description=description)


def translate_bindings(node: DOMNode, words: Catalogue, lang: str, prefix: str = "foot_") -> None:
    """Give ``node``'s bindings the descriptions ``<prefix><id>`` of ``words`` in ``lang``."""
    reword_bindings(node, lambda bid: words(lang, prefix + bid) if prefix + bid in words else None)

"""The app's settings: ``[tui]`` in ``<data>/config.toml`` and the small state file beside it.

``config.toml`` (written by the auditor or the IT desk, read once at start-up)::

    [tui]
    idle_lock_minutes = 15        # 0 turns the idle lock off; $INSPECTOR_IDLE_LOCK_MINUTES wins
    theme = "high-contrast"       # the theme until one is chosen with ctrl+t: dark, light,
                                  # high-contrast or any Textual theme name
    language = "hi"               # the language until one is chosen with f2: en or hi

    [tui.keys]                    # rebind any key by its binding id (the help screen shows ids)
    walk-summary = "s,ctrl+y"     # one key or several, comma-separated, as Textual writes them
    quit = "ctrl+q,ctrl+x"

``tui-state.json`` in the data directory keeps what was last chosen in the app (the theme and the
language) for the next start; it wins over ``config.toml``'s defaults. It is the app's own file,
written atomically (``inspector._io.atomic``) and ignored when unreadable.

A setting that cannot be used never stops the app: it is left out and :class:`TuiSettings`
carries a warning naming the setting, which the app shows as a notification. Parsed by hand
rather than with pydantic: this runs on every start-up, before the first screen, where
pydantic's import would cost more than the rest of the app's start.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector.paths import DataDir

ENV_IDLE_LOCK = "INSPECTOR_IDLE_LOCK_MINUTES"
DEFAULT_IDLE_LOCK_MINUTES = 15  # the same default as Session's
STATE_FILE = "tui-state.json"
STATE_FORMAT = "inspector-tui-state/v1"

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"
HIGH_CONTRAST_THEME = "inspector-high-contrast"
THEME_CYCLE = (DARK_THEME, LIGHT_THEME, HIGH_CONTRAST_THEME)
"""What ctrl+t steps through, in this order."""
THEME_ALIASES = {"dark": DARK_THEME, "light": LIGHT_THEME, "high-contrast": HIGH_CONTRAST_THEME}
LANGUAGES = ("en", "hi")

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


@dataclass
class TuiSettings:
    """What start-up needs: every field usable as it is, and why any setting was left out."""

    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    theme: str | None = None
    """The theme to start with (a name ``theme_name`` resolved), None for the app's default."""
    language: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    """binding id -> comma-separated keys, already checked for form (ids are checked later)."""
    keymap_source: dict[str, str] = field(default_factory=dict)
    """binding id -> where it was set, for warnings about ids no binding has."""
    warnings: list[str] = field(default_factory=list)


def state_path(data: DataDir) -> Path:
    return data.root / STATE_FILE


def theme_name(value: str) -> str:
    """``high-contrast`` -> the registered theme's name; other names are taken as they are."""
    return THEME_ALIASES.get(value.strip().lower(), value.strip())


def next_theme(current: str) -> str:
    """The theme ctrl+t switches to from ``current`` (any other theme starts the cycle)."""
    if current in THEME_CYCLE:
        return THEME_CYCLE[(THEME_CYCLE.index(current) + 1) % len(THEME_CYCLE)]
    return THEME_CYCLE[0]


def load_settings(data: DataDir) -> TuiSettings:
    """The settings from the environment, ``config.toml`` and the state file."""
    settings = TuiSettings()
    tui = _config_tui(data, settings)
    _idle_lock(tui, data, settings)
    for name in ("theme", "language"):
        value = tui.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            settings.warnings.append(f"{data.config} [tui] {name} = {value!r}: not a name; ignored")
        elif name == "language" and value not in LANGUAGES:
            settings.warnings.append(f"{data.config} [tui] language = {value!r}: not en or hi; ignored")
        elif name == "theme":
            settings.theme = theme_name(value)
        else:
            settings.language = value
    _keys(tui.get("keys"), data, settings)
    state = read_state(data)
    if state.get("theme"):
        settings.theme = state["theme"]
    if state.get("language") in LANGUAGES:
        settings.language = state["language"]
    return settings


def _config_tui(data: DataDir, settings: TuiSettings) -> dict[str, Any]:
    if not data.config.is_file():
        return {}
    import tomllib  # here: most laptops have no config.toml, and every start-up counts

    try:
        config = tomllib.loads(data.config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        settings.warnings.append(f"{data.config}: unreadable ({exc}); the app's defaults are used")
        return {}
    tui = config.get("tui", {})
    if not isinstance(tui, dict):
        settings.warnings.append(f"{data.config} [tui]: not a table; the app's defaults are used")
        return {}
    return tui


def _idle_lock(tui: dict[str, Any], data: DataDir, settings: TuiSettings) -> None:
    text = os.environ.get(ENV_IDLE_LOCK)
    where = f"${ENV_IDLE_LOCK}"
    if text is None:
        value = tui.get("idle_lock_minutes")
        if value is None:
            return
        where = f"{data.config} [tui] idle_lock_minutes"
        text = str(value)
    try:
        minutes = int(text.strip())
        if minutes < 0:
            raise ValueError
    except ValueError:
        settings.warnings.append(f"{where}: {text!r} is not a number of minutes; using {DEFAULT_IDLE_LOCK_MINUTES}")
        return
    settings.idle_lock_minutes = minutes


def _keys(table: object, data: DataDir, settings: TuiSettings) -> None:
    if table is None:
        return
    where = f"{data.config} [tui.keys]"
    if not isinstance(table, dict):
        settings.warnings.append(f"{where}: not a table of binding ids; no key is rebound")
        return
    for binding_id, value in table.items():
        keys = value if isinstance(value, str) else ",".join(value) if _all_str(value) else None
        problem = "not a key or a comma-separated list of keys" if keys is None else key_list_problem(keys)
        if problem:
            settings.warnings.append(f"{where} {binding_id} = {value!r}: {problem}; ignored")
            continue
        assert keys is not None
        settings.keymap[str(binding_id)] = ",".join(key.strip() for key in keys.split(","))
        settings.keymap_source[str(binding_id)] = f"{where} {binding_id}"


def _all_str(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, str) for item in value)


def key_list_problem(keys: str) -> str | None:
    """Why ``keys`` ("s,ctrl+y") is not a list of keys Textual can bind, or None."""
    from textual.keys import Keys

    named = {key.value for key in Keys}
    for key in (part.strip() for part in keys.split(",")):
        if not key:
            return "an empty key"
        if len(key) == 1:
            continue  # one character: itself
        *modifiers, name = key.split("+")
        unknown = [m for m in modifiers if m not in MODIFIERS]
        if unknown:
            return f"{key!r}: {unknown[0]!r} is not ctrl, shift, alt, meta, super or hyper"
        if len(name) == 1 or name in named or _character_name(name):
            continue
        return f"{key!r}: {name!r} is not a key name"
    return None


def _character_name(name: str) -> bool:
    """Textual's long names of characters: ``question_mark``, ``full_stop``."""
    try:
        unicodedata.lookup(name.upper().replace("_", " "))
    except KeyError:
        return False
    return True


def read_state(data: DataDir) -> dict[str, str]:
    """What the app kept last time ({} when there is nothing usable)."""
    try:
        state = json.loads(state_path(data).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        return {}
    return {name: value for name in ("theme", "language") if isinstance(value := state.get(name), str)}


def write_state(data: DataDir, *, theme: str, language: str) -> None:
    """Keep the theme and the language for the next start (crash-safe: old file or new)."""
    from inspector._io.atomic import atomic_write

    state = {"format": STATE_FORMAT, "theme": theme, "language": language}
    if not data.root.is_dir():
        return  # a data directory that is gone keeps nothing; the app goes on
    atomic_write(state_path(data), json.dumps(state, indent=1).encode() + b"\n", mode=0o644)


def known_binding_ids(app_class: type) -> set[str]:
    """The id of every binding of ``app_class``, the screens and the widgets.

    Imports every screen module, so it is called off the start-up path (a worker), and only
    when ``[tui.keys]`` rebinds something."""
    import importlib
    import pkgutil

    import inspector.tui.screens as screens
    import inspector.tui.widgets as widgets

    ids = _binding_ids(app_class)
    for package in (screens, widgets):
        for info in pkgutil.iter_modules(package.__path__):
            try:
                module = importlib.import_module(f"{package.__name__}.{info.name}")
            except Exception:
                continue
            for value in vars(module).values():
                if isinstance(value, type) and value.__module__ == module.__name__:
                    ids.update(_binding_ids(value))
    return ids


def _binding_ids(cls: type) -> set[str]:
    from textual.binding import Binding

    found: set[str] = set()
    for klass in cls.__mro__:
        for binding in vars(klass).get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.add(binding.id)
    return found

"""The help screen (F1 and ?), keys rebound in config.toml, and the theme and language kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import Input, Static

from inspector.paths import DataDir
from inspector.tui.app import InspectorApp
from inspector.tui.screens.confirm import ConfirmScreen
from inspector.tui.screens.help import HelpScreen
from inspector.tui.screens.home import HomeScreen
from inspector.tui.screens.new_audit import NewAuditScreen
from inspector.tui.screens.unlock import UnlockScreen
from inspector.tui.settings import (
    DARK_THEME,
    HIGH_CONTRAST_THEME,
    LIGHT_THEME,
    STATE_FILE,
    key_list_problem,
    load_settings,
)
from inspector.tui.words.help import WORDS as HELP_WORDS
from inspector.tui.words.home import WORDS as HOME_WORDS
from inspector.tui.words.unlock import WORDS as UNLOCK_WORDS

SIZE = (100, 34)


def text_of(widget: Static) -> str:
    return str(widget.content)


def notices(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def to_home(pilot: Any, settle: Any, passphrase: str) -> HomeScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, UnlockScreen)
    pilot.app.screen.query_one("#passphrase", Input).value = passphrase
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)
    return pilot.app.screen


def help_shown(app: Any) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return "\n".join(text_of(screen.query_one(f"#help-{part}", Static)) for part in ("title", "text", "closes")) + (
        "\n" + "\n".join(f"{line.key} {line.binding_id}" for line in screen.keys)
    )


# -- help ------------------------------------------------------------------------------------------
async def test_f1_shows_the_screens_own_help_and_keys_and_f1_closes_it(demo_world: Any, settle: Any) -> None:
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        home = await to_home(pilot, settle, demo_world.passphrase)
        await pilot.press("f1")
        await settle(pilot)
        shown = help_shown(app)
        assert HOME_WORDS("en", "help")[:40] in shown
        assert "n new-audit" in shown and "^t home-theme" in shown and "f1 help" in shown and "? help-question" in shown
        await pilot.press("question_mark")  # not the key that opened it: stays
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen is home


async def test_question_mark_opens_help_and_closes_it_and_escape_closes_it_too(demo_world: Any, settle: Any) -> None:
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        home = await to_home(pilot, settle, demo_world.passphrase)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen) and "? " in text_of(app.screen.query_one("#help-closes", Static))
        await pilot.press("f1")  # F1 does not close ?'s help
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen is home
        await pilot.press("f1")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home


async def test_question_mark_in_a_text_field_is_typed_not_help(demo_world: Any, settle: Any) -> None:
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        await pilot.press("a", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert app.screen.query_one("#passphrase", Input).value == "a?"
        await pilot.press("f1")  # F1 still works while typing: the unlock modal's help
        await settle(pilot)
        shown = help_shown(app)
        assert UNLOCK_WORDS("en", "help")[:40] in shown and UNLOCK_WORDS("en", "title") in shown
        assert "escape unlock-cancel" in shown.replace("esc ", "escape ")
        assert "f2 app-language" in shown and "f1 help" in shown  # the app's keys that work on a modal


async def test_a_screen_without_help_of_its_own_gets_the_generic_line_and_its_keys(
    demo_world: Any, settle: Any
) -> None:
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await to_home(pilot, settle, demo_world.passphrase)
        app.push_screen(ConfirmScreen("Really?"))
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        shown = help_shown(app)
        assert HELP_WORDS("en", "generic") in shown and "y confirm-yes" in shown


async def test_help_follows_the_language_switch(demo_world: Any, settle: Any) -> None:
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await to_home(pilot, settle, demo_world.passphrase)
        await pilot.press("f1")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        shown = help_shown(app)
        assert HOME_WORDS("hi", "help")[:30] in shown and HELP_WORDS("hi", "title") in shown


# -- keys rebound in config.toml ---------------------------------------------------------------------
async def test_config_rebinds_a_key_by_its_id(demo_world: Any, settle: Any) -> None:
    demo_world.data.config.write_text('[tui.keys]\nnew-audit = "a,ctrl+y"\nhelp = "f3"\n', encoding="utf-8")
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        home = await to_home(pilot, settle, demo_world.passphrase)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is home  # n no longer starts an audit
        await pilot.press("f3")
        await settle(pilot)
        shown = help_shown(app)
        assert "a new-audit" in shown and "^y new-audit" in shown
        await pilot.press("f3")  # the rebound help key closes it too
        await settle(pilot)
        assert app.screen is home
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, NewAuditScreen)
        assert not [n for n in notices(app) if "config.toml" in n]


async def test_unknown_ids_and_bad_keys_in_config_warn_naming_the_setting(demo_world: Any, settle: Any) -> None:
    demo_world.data.config.write_text(
        '[tui]\ntheme = "neon"\n[tui.keys]\nnew-audti = "a"\nresume = 5\nsummary = "ctrl+shfit+s"\nverify = "x"\n',
        encoding="utf-8",
    )
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        home = await to_home(pilot, settle, demo_world.passphrase)
        await settle(pilot)
        said = "\n".join(notices(app))
        assert "[tui.keys] new-audti: no binding has this id" in said
        assert "[tui.keys] resume = 5" in said
        assert "[tui.keys] summary = 'ctrl+shfit+s'" in said and "'shfit'" in said
        assert "[tui] theme = 'neon'" in said
        assert "[tui.keys] verify" not in said
        assert app.theme == DARK_THEME
        bound = {key: active.binding.id for key, active in home.active_bindings.items()}
        assert bound["r"] == "resume" and bound["x"] == "verify" and "v" not in bound  # bad values left out


def test_key_lists_are_checked_for_form() -> None:
    assert key_list_problem("s,ctrl+y") is None
    assert key_list_problem("question_mark,f12,shift+tab,?") is None
    assert key_list_problem("s,,t") == "an empty key"
    assert "is not a key name" in (key_list_problem("ctrl+blorp") or "")
    assert "is not ctrl" in (key_list_problem("cmd+s") or "")


# -- the theme and the language kept -----------------------------------------------------------------
async def test_ctrl_t_cycles_dark_light_high_contrast_and_the_choice_is_kept(demo_world: Any, settle: Any) -> None:
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await to_home(pilot, settle, demo_world.passphrase)
        assert app.theme == DARK_THEME
        seen = []
        for _ in range(3):
            await pilot.press("ctrl+t")
            await settle(pilot)
            seen.append(app.theme)
        assert seen == [LIGHT_THEME, HIGH_CONTRAST_THEME, DARK_THEME]
        await pilot.press("ctrl+t", "ctrl+t")
        await settle(pilot)
    state = json.loads((demo_world.data.root / STATE_FILE).read_text(encoding="utf-8"))
    assert state["theme"] == HIGH_CONTRAST_THEME
    again = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == HIGH_CONTRAST_THEME
        assert not again.current_theme.dark and again.current_theme.background == "#ffffff"


async def test_the_language_chosen_with_f2_is_kept_for_the_next_start(demo_world: Any, settle: Any) -> None:
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await to_home(pilot, settle, demo_world.passphrase)
        await pilot.press("f2")
        await settle(pilot)
    again = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, UnlockScreen)
        assert text_of(again.screen.query_one("#unlock-title", Static)) == UNLOCK_WORDS("hi", "title")
        assert again.session.lang == "hi"


def test_config_gives_the_default_theme_and_the_kept_choice_wins(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    data.config.write_text('[tui]\ntheme = "high-contrast"\nlanguage = "hi"\n', encoding="utf-8")
    settings = load_settings(data)
    assert (settings.theme, settings.language, settings.warnings) == (HIGH_CONTRAST_THEME, "hi", [])
    (tmp_path / STATE_FILE).write_text(
        json.dumps({"format": "inspector-tui-state/v1", "theme": LIGHT_THEME, "language": "en"}), encoding="utf-8"
    )
    settings = load_settings(data)
    assert (settings.theme, settings.language) == (LIGHT_THEME, "en")


def test_an_unreadable_state_file_is_ignored(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    (tmp_path / STATE_FILE).write_text("{half", encoding="utf-8")
    settings = load_settings(data)
    assert (settings.theme, settings.language, settings.warnings) == (None, None, [])


def test_the_readme_example_config_is_used_as_it_stands(tmp_path: Path) -> None:
    """The ``[tui]`` example in the README: every setting usable, every key id a real binding."""
    import re

    from inspector.tui.settings import known_binding_ids

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(\[tui\].*?)```", readme, re.S)
    assert example, "README has no [tui] example"
    data = DataDir(tmp_path)
    data.config.write_text(example.group(1), encoding="utf-8")
    settings = load_settings(data)
    assert settings.warnings == [] and settings.keymap
    assert set(settings.keymap) <= known_binding_ids(InspectorApp)


def test_every_binding_of_the_shell_screens_has_an_id_to_rebind_it_by() -> None:
    from textual.binding import Binding

    from inspector.tui.screens import certificate, first_run, help, home, new_audit, qr, unlock, verify

    for module in (certificate, first_run, help, home, new_audit, qr, unlock, verify):
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                for binding in vars(value).get("BINDINGS", ()):
                    assert isinstance(binding, Binding) and binding.id, f"{value.__name__}: {binding}"
    assert all(isinstance(b, Binding) and b.id for b in InspectorApp.BINDINGS)


async def test_the_footer_speaks_the_language_and_rebound_keys_keep_their_words(demo_world: Any, settle: Any) -> None:
    demo_world.data.config.write_text('[tui.keys]\nnew-audit = "a"\n', encoding="utf-8")
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        home = await to_home(pilot, settle, demo_world.passphrase)
        await pilot.press("f2")
        await settle(pilot)
        words = {key: active.binding.description.rstrip() for key, active in home.active_bindings.items()}
        assert words["a"] == HOME_WORDS("hi", "foot_new-audit") and words["s"] == HOME_WORDS("hi", "foot_summary")
        assert "n" not in words
        assert home.active_bindings["a"].binding.description == "नया ऑडिट"
        await pilot.press("f2")
        await settle(pilot)
        assert home.active_bindings["a"].binding.description == "New audit"
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, NewAuditScreen)


async def test_a_start_without_a_choice_keeps_nothing_and_the_config_theme_applies(
    demo_world: Any, settle: Any
) -> None:
    demo_world.data.config.write_text('[tui]\ntheme = "light"\n', encoding="utf-8")
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await to_home(pilot, settle, demo_world.passphrase)
        assert app.theme == LIGHT_THEME
    assert not (demo_world.data.root / STATE_FILE).exists()  # the next start still follows config.toml


def test_every_shell_screen_has_its_own_help_in_both_languages() -> None:
    from inspector.tui.protocols import HasHelp
    from inspector.tui.screens.certificate import CertificateScreen
    from inspector.tui.screens.first_run import FirstRunScreen
    from inspector.tui.screens.qr import QRScreen
    from inspector.tui.screens.verify import VerifyScreen

    screens = (HomeScreen, UnlockScreen, QRScreen, CertificateScreen, VerifyScreen, NewAuditScreen, FirstRunScreen)
    for screen in screens:
        assert issubclass(screen, HasHelp), screen.__name__
        english, hindi = screen.help_text(Any, "en"), screen.help_text(Any, "hi")  # type: ignore[arg-type]
        assert english != hindi and len(english) > 80, screen.__name__


async def test_a_choice_that_cannot_be_kept_is_said_and_the_app_goes_on(
    demo_world: Any, settle: Any, monkeypatch: Any
) -> None:
    import inspector.tui.settings as settings

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(settings, "write_state", refuse)
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await to_home(pilot, settle, demo_world.passphrase)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.theme == LIGHT_THEME and app.is_running
        assert any("cannot keep the theme and language" in n and "read-only" in n for n in notices(app))


async def test_question_mark_in_the_verify_scan_field_is_typed(demo_world: Any, settle: Any) -> None:
    from inspector.tui.screens.verify import ScanInput, VerifyScreen

    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await to_home(pilot, settle, demo_world.passphrase)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, VerifyScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, VerifyScreen) and app.screen.query_one(ScanInput).value == "?"
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen) and "f5 verify-clear" in help_shown(app)

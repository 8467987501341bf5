"""Fixtures for the app's pilot tests.

``demo_world``  a fresh copy of one demo world (HQ, enrolled auditor key, trust list, stations),
                made once per session because creating it is slow (scrypt, signatures).
``settle``      wait until every worker has finished and its messages have been handled.
``wait_until``  pump the app until a condition holds (bounded by steps, not by time).

``async def`` tests run on a fresh event loop (pytest-asyncio is not a dependency).
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.paths import DataDir


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
        return True
    return None


@pytest.fixture(autouse=True)
def _app_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's settings out; cheap scrypt for keys made by the first-run screen."""
    monkeypatch.delenv("INSPECTOR_IDLE_LOCK_MINUTES", raising=False)
    monkeypatch.delenv("INSPECTOR_HOME", raising=False)
    monkeypatch.delenv("INSPECTOR_PASSPHRASE", raising=False)
    monkeypatch.setenv("INSPECTOR_SCRYPT_N", str(2**14))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir(exist_ok=True)


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from inspector.services.demo import create_demo

    return create_demo(tmp_path_factory.mktemp("demo-template") / "d")


@pytest.fixture
def demo_world(_demo_template: Any, tmp_path: Path) -> Any:
    """A DemoWorld of its own for each test: ``data``, ``passphrase``, ``auditor_id``..."""
    target = tmp_path / "demo"
    shutil.copytree(_demo_template.data.root, target, symlinks=True)
    return dataclasses.replace(_demo_template, data=DataDir(target))


def _busy(app: Any) -> list[Any]:
    """Thread workers still to finish: the disk and crypto work. Async workers are left out:
    some wait for the user (a modal's answer) and others for widgets that live on
    (DirectoryTree's loader); the pauses below let them run as far as they can."""
    return [w for w in app.workers if getattr(w, "_thread_worker", False) and not w.is_finished]


async def settle_app(pilot: Any, rounds: int = 50) -> None:
    """Wait for the app's workers and the messages they post, until nothing is left running."""
    app = pilot.app
    for _ in range(rounds):
        await asyncio.gather(*(worker.wait() for worker in _busy(app)), return_exceptions=True)
        await pilot.pause()
        if not _busy(app):
            await pilot.pause()
            if not _busy(app):
                return


async def wait_until_app(pilot: Any, condition: Callable[[], bool], rounds: int = 200) -> None:
    for _ in range(rounds):
        if condition():
            return
        await settle_app(pilot, rounds=1)
    assert condition(), "condition not reached"


@pytest.fixture
def settle() -> Callable[..., Any]:
    """``await settle(pilot)``"""
    return settle_app


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    """``await wait_until(pilot, lambda: ...)``"""
    return wait_until_app

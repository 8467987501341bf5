"""Documents handed out by the store are frozen copies, and only JSON-safe values go in."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from inspector.store.errors import UnstorableValue

if sys.platform == "win32":  # pragma: no cover - Windows, untested here
    pass
else:
    pass


# --------------------------------------------------------------------------- frozen documents


def _refuse(*_args: object, **_kwargs: object) -> NoReturn:
    raise TypeError("stored documents are read-only; write a new version through the store instead")


class _FrozenDict(dict):  # type: ignore[type-arg]
    """A stored document (or a mapping inside one).

    The storage keeps its last written state to compute what changed; if anything could
    mutate those objects in place, a change would be invisible to the diff and silently lost.
    So they refuse mutation outright.
    """

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (_FrozenDict, (dict(self),))

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, _memo: object) -> Any:
        return _thaw(self)


class _FrozenList(list):  # type: ignore[type-arg]
    """A list inside a stored document; see :class:`_FrozenDict`."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (_FrozenList, (list(self),))

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, _memo: object) -> Any:
        return _thaw(self)


def _freeze(value: Any) -> Any:
    """Read-only deep copy of a value freshly parsed from JSON."""
    if isinstance(value, dict):
        return _FrozenDict({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return _FrozenList(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    """Plain, mutable deep copy: what callers get, so they never alias stored state."""
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_thaw(v) for v in value]
    return value


def _check_storable(value: Any, where_: str) -> None:
    """Refuse anything that would not come back from JSON exactly as it went in.

    Floats are refused outright: signed records carry none, and a float's text form is not
    canonical. Tuples would come back as lists, non-string keys as strings.
    """
    if value is None or isinstance(value, str):
        return
    if isinstance(value, float):
        raise UnstorableValue(f"{where_}: floats cannot be stored ({value!r}); use an integer or a string")
    if isinstance(value, int):  # bool included
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise UnstorableValue(f"{where_}: keys must be strings, not {key!r}")
            _check_storable(item, f"{where_}.{key}")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_storable(item, f"{where_}[{index}]")
        return
    raise UnstorableValue(
        f"{where_}: a {type(value).__name__} cannot be stored; use str, int, bool, None, list or dict"
    )

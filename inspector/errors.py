"""Errors the user can act on.

``UserError`` means the input or the state is unusable (exit status 2); ``Invalid`` is a
verdict: the thing checked is not genuine or not intact (exit status 1).
"""


class InspectorError(Exception):
    """Base of all errors the user can act on."""


class UserError(InspectorError):
    """Bad input or state the user must fix; one clear line, exit status 2."""


class Invalid(InspectorError):
    """A verification verdict: the object is not valid (exit status 1)."""

    def __init__(self, reasons: list[str] | str) -> None:
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__("; ".join(self.reasons))

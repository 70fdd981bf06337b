"""Hooks into a real framework's functions, all taken out again when the trace ends.

    hooks = Hooks()
    hooks.patch(SomeClass, "method", lambda original: my_wrapper_calling(original))
    ...
    hooks.close()           # every patched attribute is back as it was, even after an error

A hook must never change what the user's run does. Three rules make that hold:

* the original is called exactly once, with the same arguments, and its result or exception passes through;
* fittrace's own code around it runs under :meth:`Hooks.guard`: if it raises, the failure is noted (once per hook,
  in :attr:`Hooks.failed`) and the run goes on as if the hook were not there;
* after :meth:`Hooks.close`, a wrapper someone kept a reference to calls straight through to the original.

What could not be hooked (a function this version of the framework does not have) goes in :attr:`Hooks.missing`,
so that the trace can say which stages it cannot show.

    >>> class Greeter:
    ...     def hello(self, name):
    ...         return "hello " + name
    >>> hooks = Hooks()
    >>> seen = []
    >>> def wrap(original):
    ...     def hello(self, name):
    ...         hooks.guard("Greeter.hello", seen.append, name)
    ...         return original(self, name)
    ...     return hello
    >>> hooks.patch(Greeter, "hello", wrap)
    True
    >>> Greeter().hello("ada"), seen
    ('hello ada', ['ada'])
    >>> hooks.patch(Greeter, "goodbye", wrap), hooks.missing
    (False, ['...Greeter.goodbye'])
    >>> hooks.close()
    >>> Greeter().hello("bob"), seen
    ('hello bob', ['ada'])
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_ABSENT = object()


def path_of(owner: Any, attr: str) -> str:
    """The dotted name of ``owner.attr`` as the framework spells it (``tf_keras.src.engine.training.Model.fit``):
    what an event's ``keras`` field says it came from."""
    if isinstance(owner, type):
        return f"{owner.__module__}.{owner.__qualname__}.{attr}"
    return f"{getattr(owner, '__name__', type(owner).__name__)}.{attr}"


class Hooks:
    """The hooks one trace has put in place, and what it could not hook."""

    def __init__(self) -> None:
        self.found: list[str] = []  # dotted names hooked
        self.missing: list[str] = []  # dotted names looked for and not there
        self.failed: dict[str, str] = {}  # hook -> the first error fittrace's own code raised in it
        self.closed = False
        self._undo: list[
            tuple[Any, str, Any]
        ] = []  # (owner, attr, what was in its __dict__, or _ABSENT)

    def patch(
        self,
        owner: Any,
        attr: str,
        make: Callable[[Callable[..., Any]], Callable[..., Any]],
        *,
        inherited: bool = False,
    ) -> bool:
        """Replace ``owner.attr`` (a function, method, classmethod or staticmethod) by ``make(original)``.

        For a class, only an attribute the class defines itself is hooked, unless ``inherited`` (then the hook
        goes on ``owner`` and hides the base's until :meth:`close`). Returns False, and notes the name in
        :attr:`missing`, when there is nothing to hook."""
        label = path_of(owner, attr)
        if self.closed:
            raise RuntimeError("these hooks were closed; make a new Hooks for a new trace")
        own = vars(owner).get(attr, _ABSENT)
        raw, previous = own, own
        if raw is _ABSENT and inherited and isinstance(owner, type):
            # the descriptor itself (a classmethod stays one), from the first base that defines it
            raw = next((b.__dict__[attr] for b in owner.__mro__ if attr in b.__dict__), _ABSENT)
        if raw is _ABSENT:
            self.missing.append(label)
            return False
        kind = type(raw) if isinstance(raw, (classmethod, staticmethod)) else None
        function = raw.__func__ if kind is not None else raw
        if not callable(function):
            self.missing.append(label)
            return False
        hooked = make(function)

        @functools.wraps(function)
        def gate(*args: Any, **kwargs: Any) -> Any:
            if self.closed:  # a reference kept past the trace: straight through
                return function(*args, **kwargs)
            return hooked(*args, **kwargs)

        gate.__fittrace_original__ = function  # type: ignore[attr-defined]
        setattr(owner, attr, kind(gate) if kind is not None else gate)
        self._undo.append((owner, attr, previous))
        self.found.append(label)
        return True

    def guard(self, label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run fittrace's own ``fn(*args, **kwargs)`` inside a hook; if it raises, note it and return None."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # fittrace's failure must never become the user's
            self.failed.setdefault(label, f"{type(exc).__name__}: {exc}")
            return None

    def close(self) -> None:
        """Put back every hooked attribute, last hooked first. Safe to call twice."""
        self.closed = True
        while self._undo:
            owner, attr, previous = self._undo.pop()
            try:
                if previous is _ABSENT:
                    delattr(owner, attr)
                else:
                    setattr(owner, attr, previous)
            except (
                AttributeError,
                TypeError,
            ):  # an owner that no longer takes attributes: nothing to undo
                pass

    def summary(self) -> dict[str, Any]:
        """What the trace's header says about the hooks: how many were found, which were not, what failed."""
        return {
            "hooked": len(self.found),
            "missing": list(self.missing),
            "failed": dict(self.failed),
        }

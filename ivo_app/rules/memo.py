"""A memo for per-distinct-value work: the rules and the matcher evaluate a value once and fan the
result out to every record that bears it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class Memo(dict[Any, Any]):
    """key → compute(key), computed on the key's first look-up (`memo[k]`, `map(memo.__getitem__, ks)`):
    each key is hashed once, and Python runs only for the keys not seen before."""

    __slots__ = ("_compute",)

    def __init__(self, compute: Callable[[Any], Any], initial: Mapping[Any, Any] | None = None) -> None:
        super().__init__(initial or {})
        self._compute = compute

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self._compute(key)
        return value

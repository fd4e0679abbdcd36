"""The table builder as it was before columnar reading (one dict look-up per value, row order), kept as
the oracle of tests/integration/test_duplicates.py: the columnar TableBuilder must give the same arrays."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from ivo_app.rules.matching.columns import (
    _PLACE_MASK,
    _SEXES,
    Table,
    _as_text,
    _joined,
    _Vocab,
    _yyyymmdd,
    soundex_number,
    stable_hash,
)
from ivo_app.rules.matching.engine import name_prefix, place_code
from ivo_app.rules.matching.phonetic import soundex2
from ivo_app.rules.memo import Memo
from ivo_app.rules.normalize import normalize_name


class RowTableBuilder:
    def __init__(self, normalised: bool = False) -> None:
        norm: Callable[[Any], str] = _as_text if normalised else normalize_name
        self.names = _Vocab(norm)
        self.lists = _Vocab(lambda raw: _joined(norm(raw)))
        self.places = _Vocab(place_code)
        self.ins_vocab = _Vocab()
        self._date_of = Memo(_yyyymmdd)
        self._homonym_of = Memo(lambda raw: bool(raw) and "HOMONYME" in raw.split(","))
        self._ipps: list[str] = []
        self._cols: dict[str, list[npt.NDArray[Any]]] = {c: [] for c in ("id", "name", "used", "first_first",
                                                         "list", "first_first_list", "birth", "sex", "place", "ins",
                                                         "homonym")}  # fmt: skip

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        ids, ipps, names, lists, ffns, births, sexes, places, useds, inss, attrs = zip(*rows, strict=True)
        n = len(ids)
        c = self._cols

        def codes(values: Iterable[Any], dtype: Any = np.int64) -> npt.NDArray[Any]:
            return np.fromiter(values, dtype=dtype, count=n)

        c["id"].append(codes(ids))
        self._ipps.extend(ipps)
        c["name"].append(codes(map(self.names.__getitem__, names)))
        c["used"].append(codes(map(self.names.__getitem__, useds)))
        c["first_first"].append(codes(map(self.names.__getitem__, ffns)))
        c["list"].append(codes(map(self.lists.__getitem__, lists)))
        c["first_first_list"].append(codes(map(self.lists.__getitem__, ffns)))
        c["birth"].append(codes(map(self._date_of.__getitem__, births)))
        c["sex"].append(codes(map(_SEXES.get, sexes, repeat(0))))
        c["place"].append(codes(map(self.places.__getitem__, places)))
        c["ins"].append(codes(map(self.ins_vocab.__getitem__, inss)))
        c["homonym"].append(codes(map(self._homonym_of.__getitem__, attrs), np.bool_))

    def build(self) -> Table:
        def column(name: str, dtype: Any = np.int64) -> npt.NDArray[Any]:
            parts = self._cols[name]
            return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

        first_first, first_names = column("first_first"), column("list")
        list_head = np.fromiter(
            (self.names[v.split(" ", 1)[0]] for v in self.lists.forms),
            dtype=np.int64,
            count=len(self.lists.forms),
        )
        token_starts: list[int] = [0]
        tokens: list[int] = []
        for form in self.lists.forms:
            tokens.extend(self.names[w] for w in form.split())
            token_starts.append(len(tokens))
        return Table(
            token_starts=np.asarray(token_starts, dtype=np.int64),
            tokens=np.asarray(tokens, dtype=np.int64),
            ids=column("id"),
            ipps=self._ipps,
            name=column("name"),
            used=column("used"),
            first=np.where(first_first > 0, first_first, list_head[first_names]),
            firsts=np.where(first_names > 0, first_names, column("first_first_list")),
            birth=column("birth"),
            sex=column("sex"),
            place=column("place"),
            ins=column("ins"),
            homonym=column("homonym", np.bool_),
            names=self.names.forms,
            lists=self.lists.forms,
            places=self.places.forms,
            ins_values=self.ins_vocab.forms,
            soundex=np.asarray([soundex_number(soundex2(v)) for v in self.names.forms], dtype=np.int64),
            name_length=np.asarray([len(v) for v in self.names.forms], dtype=np.int64),
            name_prefix=np.asarray([name_prefix(v) for v in self.names.forms], dtype=np.int64),
            name_hash=np.asarray([stable_hash(v) for v in self.names.forms], dtype=np.int64),
            place_hash=np.asarray([stable_hash(v) & _PLACE_MASK for v in self.places.forms], dtype=np.int64),
        )

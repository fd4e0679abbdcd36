"""Error rates of the on-site checks with their 95 % Wilson score interval, and the stratified sample."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence

Z95 = 1.959963984540054


def wilson(errors: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (errors / n); (0, 0) when nothing was checked."""
    if n <= 0:
        return (0.0, 0.0)
    p = errors / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def stratified_sample(items: Sequence[tuple[str, str]], size: int, seed: int) -> list[str]:
    """`size` keys drawn from (key, stratum) pairs, proportionally to each stratum (largest remainder),
    at least one per non-empty stratum when the size allows; the same seed gives the same sample."""
    strata: dict[str, list[str]] = defaultdict(list)
    for key, stratum in sorted(items):
        strata[stratum].append(key)
    total = sum(len(v) for v in strata.values())
    size = min(size, total)
    if size <= 0:
        return []
    quotas = {s: size * len(keys) / total for s, keys in strata.items()}
    counts = {s: int(q) for s, q in quotas.items()}
    if size >= len(strata):
        for s in counts:
            counts[s] = max(counts[s], 1)
    for s in sorted(quotas, key=lambda s: quotas[s] - int(quotas[s]), reverse=True):
        if sum(counts.values()) >= size:
            break
        counts[s] += 1
    while sum(counts.values()) > size:  # minimum-one rule overshot: trim the largest strata
        largest = max(counts, key=lambda s: counts[s])
        counts[largest] -= 1
    rnd = random.Random(seed)
    sample: list[str] = []
    for s in sorted(strata):
        sample.extend(rnd.sample(strata[s], min(counts[s], len(strata[s]))))
    return sorted(sample)

"""The MinHash band index over text profiles, for same-matter candidates (integrations.md §6).

The band index stores one bucket per band of a 64-permutation numpy MinHash (no datasketch), scoped to the
90-day period the petition was received in, so a lookup only meets the petitions of its window however many
years are stored. Bands 0‥31 hash single permutations of the heaviest shingles (names counted thrice) and bands
32‥39 the names alone, both scoped to the unit; a petition naming another commune (sent to the city over the
commune's head) also looks in that commune's buckets. Bands 40‥43 hash pairs of strong names (two-word names,
long numbers) city-wide, so a neighbour's petition naming the same two places or decisions is found too. One
permutation per unit band (R = 1) because a one-line chat and a two-page letter share few shingles:
P(candidate) = 1 - (1 - J)^32 is 0.96 already at Jaccard J = 0.1.
"""
from __future__ import annotations

import datetime as dt
import zlib
from functools import lru_cache
from typing import Iterable

import numpy as np

from service.domain.matters.profiles import Profile

PERMUTATIONS = 64
UNIT_BANDS = 32  # bands 0..31: all shingles, per unit
NAME_BANDS_END = 40  # bands 32..39: the names, per unit
CITY_BANDS = 4  # bands 40..43: pairs of strong names, city-wide (two permutations each)
EPOCH_DAYS = 90  # buckets are kept per 90-day period: a lookup probes the periods of its window only
_EPOCH_START = dt.date(2020, 1, 1)
MAX_SHINGLES = 48  # a two-page letter keeps its 48 heaviest shingles, so it stays comparable to a chat


def shingles(p: Profile, limit: int = MAX_SHINGLES) -> list[str]:
    """The heaviest shingles (names first); ties keep the text's order, where the subject usually comes first."""
    order = sorted(enumerate(p.weights.items()), key=lambda x: (-x[1][1], x[0]))
    return [f for _, (f, w) in order[:limit] if w >= 0.45]


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261121)  # fixed: stored buckets must stay comparable forever
    return (rng.integers(1, 2**31, PERMUTATIONS, dtype=np.uint64),
            rng.integers(0, 2**31, PERMUTATIONS, dtype=np.uint64))


def minhash(features: Iterable[str]) -> np.ndarray | None:
    """The 64 minimum hash values of a shingle set: (a·crc32(s) + b) mod (2^61 - 1), low 32 bits kept."""
    hashes = np.fromiter((zlib.crc32(f.encode()) for f in features), dtype=np.uint64)
    if hashes.size == 0:
        return None
    a, b = _permutations()
    values = (np.outer(a, hashes) + b[:, None]) % np.uint64((1 << 61) - 1)
    return (values & np.uint64(0xFFFFFFFF)).min(axis=1)


def epoch(moment: dt.datetime) -> int:
    """The 90-day period a petition was received in: buckets of old periods are never probed again."""
    return max(0, (moment.astimezone(dt.timezone.utc).date() - _EPOCH_START).days // EPOCH_DAYS)


def strong(feature: str, names: set[str]) -> bool:
    """A name strong enough to look for in other units: two words, or a number of three digits or more."""
    return feature in names and (" " in feature or feature.isdigit() and len(feature) >= 3)


def bands(p: Profile, units: Iterable[int], period: int) -> list[tuple[int, int]]:
    """(band, bucket) rows of a profile in one period. For each unit of `units` (its own when stored; when
    looking, also the communes the text names): bands over the heaviest shingles and bands over the names.
    City-wide: bands over pairs of strong names. A bucket is period << 48 | unit << 32 | min-hash."""
    top = shingles(p)
    rows: list[tuple[int, int]] = []
    # Names count thrice (weighted MinHash by replication): two texts about one place collide more often than
    # two texts about one kind of problem in different places, whose general words would otherwise dominate.
    words = minhash(top + [f"{f}#{k}" for f in top if f in p.names for k in (1, 2)])
    names = minhash(f for f in top if f in p.names)
    for unit_id in units:
        scope = period << 48 | unit_id << 32
        if words is not None:
            rows += [(band, scope | int(v)) for band, v in enumerate(words[:UNIT_BANDS])]
        if names is not None:
            rows += [(UNIT_BANDS + k, scope | int(v)) for k, v in enumerate(names[UNIT_BANDS:NAME_BANDS_END])]
    strongest = [f for f in top if strong(f, p.names)]
    pairs = minhash(strongest) if len(strongest) >= 2 else None  # "a strong place/name overlap": two at once
    if pairs is not None:
        for k, (x, y) in enumerate(pairs[NAME_BANDS_END:NAME_BANDS_END + 2 * CITY_BANDS].reshape(CITY_BANDS, 2)):
            rows += [(NAME_BANDS_END + k, period << 48 | (int(x) << 16 ^ int(y)) & 0xFFFFFFFFFFFF)]
    return rows

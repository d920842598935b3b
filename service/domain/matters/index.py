"""The candidate index for same-matter matching (integrations.md §6): an inverted index of each petition's
heaviest shingles, one 32-bit key per shingle, scoped to the unit and the 90-day period the petition was
received in, so a lookup only meets the petitions of its window however many years are stored.

A stored petition keeps its STORED heaviest shingles (names first: a name weighs 2.0, a rare syllable 1.0); a
new petition probes with all of its shingles (up to MAX_SHINGLES), in its own unit and in the communes its text
names (a petition sent to the city over the commune's head). Two petitions meet when a shingle one keeps is one
the other has. The re-rank links only petitions sharing a name (`profiles.similarity`'s strength), and names are
kept first, so every pair it could link meets in the index (unless a petition names more than STORED things):
the 44 MinHash bands this replaced (R = 1, P(candidate) = 1 - (1 - J)^32) found such a pair only with
probability, at 3.7 KB a petition on PostgreSQL; 14 keys of 4 bytes take under 1 KB with the index. City-wide:
keys for each pair of a petition's strong names (two-word names, long numbers), so a neighbour's petition
naming the same two places or decisions is found too.
"""
from __future__ import annotations

import datetime as dt
from hashlib import blake2b
from itertools import combinations
from typing import Iterable

from service.domain.matters.profiles import Profile

STORED = 14  # shingles kept per petition (names first)
STRONG_PAIRS = 3  # strong names whose pairs are kept city-wide (3 pairs); a lookup pairs up to PROBE_STRONG
PROBE_STRONG = 6
MAX_SHINGLES = 48  # a two-page letter probes with its 48 heaviest shingles, so it stays comparable to a chat
NAME_WEIGHT, WORD_WEIGHT, PAIR_WEIGHT = 16, 1, 32  # one shared name outranks 15 shared words: the place decides
EPOCH_DAYS = 90  # keys are kept per 90-day period: a lookup probes the periods of its window only
_EPOCH_START = dt.date(2020, 1, 1)


def shingles(p: Profile, limit: int = MAX_SHINGLES) -> list[str]:
    """The heaviest shingles (names first); ties keep the text's order, where the subject usually comes first."""
    order = sorted(enumerate(p.weights.items()), key=lambda x: (-x[1][1], x[0]))
    return [f for _, (f, w) in order[:limit] if w >= 0.45]


def epoch(moment: dt.datetime) -> int:
    """The 90-day period a petition was received in: keys of old periods are never probed again."""
    return max(0, (moment.astimezone(dt.timezone.utc).date() - _EPOCH_START).days // EPOCH_DAYS)


def strong(feature: str, names: set[str]) -> bool:
    """A name strong enough to look for in other units: two words, or a number of three digits or more."""
    return feature in names and (" " in feature or feature.isdigit() and len(feature) >= 3)


def key(*parts: object) -> int:
    """A signed 32-bit key (PostgreSQL's integer): a chance collision only adds a candidate the re-rank drops."""
    return int.from_bytes(blake2b("\x1f".join(map(str, parts)).encode(), digest_size=4).digest(), "big",
                          signed=True)


def _pairs(top: list[str], p: Profile, most: int) -> list[str]:
    names = [f for f in top if strong(f, p.names)][:most]  # the heaviest first
    return ["|".join(sorted(pair)) for pair in combinations(names, 2)]


def stored_keys(p: Profile, unit_id: int, period: int) -> list[int]:
    """The keys a petition is indexed under: its STORED heaviest shingles in its unit, and the pairs of its
    strongest names city-wide."""
    top = shingles(p)
    keys = {key(period, unit_id, f) for f in top[:STORED]}
    keys |= {key(period, "city", pair) for pair in _pairs(top, p, STRONG_PAIRS)}
    return sorted(keys)


def probe_keys(p: Profile, units: Iterable[int], periods: Iterable[int]) -> list[tuple[int, int]]:
    """(key, weight) a new petition looks up: every shingle in each unit of `units` (its own; the communes its
    text names) and each period of its window, and the pairs of its strong names city-wide."""
    top = shingles(p)
    pairs = _pairs(top, p, PROBE_STRONG)
    out: dict[int, int] = {}
    for period in periods:
        for unit_id in units:
            for f in top:
                k = key(period, unit_id, f)
                out[k] = max(out.get(k, 0), NAME_WEIGHT if f in p.names else WORD_WEIGHT)
        for pair in pairs:
            out[key(period, "city", pair)] = PAIR_WEIGHT
    return list(out.items())

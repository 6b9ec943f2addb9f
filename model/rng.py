"""Random numbers for many runs at once, each run with a stream of its own.

Replicates are an array dimension, so a draw is an array over runs. For results not to depend
on how runs are batched (one model of 10,000 runs, or 5 of 2,000 on a Dask cluster), run ``i``'s
numbers must depend only on the root seed, ``i`` and *which* draw it is, never on the other runs
in its batch. Each draw is therefore named (month, site, occurrence) and hashed with the run's
key by SplitMix64 (Steele, Lea and Flood, 2014), a counter-based generator that vectorises over
runs in numpy. Run keys come from ``numpy.random.SeedSequence(seed, spawn_key=(i,))``, the same
child that ``SeedSequence(seed).spawn(n)[i]`` gives.
"""

from __future__ import annotations

import zlib

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 2.0**-53
_GOLDEN_U64 = np.uint64(_GOLDEN)
_TWO_PI = 2.0 * np.pi


def _splitmix_scalar(x: int) -> int:
    x = (x + _GOLDEN) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _splitmix_array(x: np.ndarray) -> np.ndarray:
    """SplitMix64 of each element, computed in place in ``x`` (a fresh array) and returned."""
    # numpy wraps uint64 array arithmetic silently, which is the modular arithmetic we want
    x += _GOLDEN_U64
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def run_keys(seed: int, first: int, count: int) -> np.ndarray:
    """64-bit keys of runs ``first .. first+count-1`` of an ensemble with root ``seed``."""
    keys = np.empty(count, dtype=np.uint64)
    for j in range(count):
        child = np.random.SeedSequence(seed, spawn_key=(first + j,))
        keys[j] = child.generate_state(1, dtype=np.uint64)[0]
    return keys


def stream_keys(seed: int, ids: np.ndarray) -> np.ndarray:
    """Keys for runs that draw the streams of ensemble runs ``ids`` (repeats allowed).

    Runs given the same id draw the same numbers: common random numbers, so that parameter
    samples of a sensitivity analysis differ by their parameters and not by their luck.
    """
    unique, inverse = np.unique(np.asarray(ids, dtype=np.int64), return_inverse=True)
    keys = np.empty(unique.shape[0], dtype=np.uint64)
    for j, run in enumerate(unique):
        child = np.random.SeedSequence(seed, spawn_key=(int(run),))
        keys[j] = child.generate_state(1, dtype=np.uint64)[0]
    return keys[inverse]


class RunStreams:
    """Named, per-run random draws; the model sets ``month`` before each step.

    Args:
        keys: One uint64 key per run (see :func:`run_keys`).
    """

    def __init__(self, keys: np.ndarray):
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.month = 0
        self._site_hash: dict[str, int] = {}
        self._occurrence: dict[str, int] = {}
        self._occurrence_month = -1

    @property
    def runs(self) -> int:
        """Number of runs drawn for."""
        return self.keys.shape[0]

    def _bits(self, site: str, runs: np.ndarray | None = None, count: int = 1) -> np.ndarray:
        """Raw 64-bit draws of ``site``'s next ``count`` occurrences, shape (runs,) or (count, runs)."""
        if self._occurrence_month != self.month:
            self._occurrence.clear()
            self._occurrence_month = self.month
        n = self._occurrence.get(site, 0)
        self._occurrence[site] = n + count
        h = self._site_hash.get(site)
        if h is None:
            h = self._site_hash[site] = _splitmix_scalar(zlib.crc32(site.encode()))
        keys = self.keys if runs is None else self.keys[runs]
        if count == 1:
            counter = _splitmix_scalar(h ^ _splitmix_scalar((self.month << 20) ^ n))
            return _splitmix_array(keys ^ np.uint64(counter))
        counters = np.array(
            [_splitmix_scalar(h ^ _splitmix_scalar((self.month << 20) ^ (n + j))) for j in range(count)],
            dtype=np.uint64,
        )
        # Why one array: a draw costs numpy's per-call overhead far more than its arithmetic
        # at interactive ensemble sizes, so the occurrences of one site are hashed together.
        return _splitmix_array(keys[None, :] ^ counters[:, None])

    @staticmethod
    def _unit(bits: np.ndarray) -> np.ndarray:
        """Uniform numbers in (0, 1) from raw bits (the top 53 bits, centred in their cell)."""
        bits >>= _S11
        u = bits.astype(np.float64)
        u += 0.5
        u *= _TO_UNIT
        return u

    def uniform(self, site: str, runs: np.ndarray | None = None) -> np.ndarray:
        """Uniform numbers in (0, 1), one per run (or per run of the index array ``runs``).

        A run's number is the same whether it is drawn for all runs or for a subset.
        """
        return self._unit(self._bits(site, runs))

    def normal(self, site: str, runs: np.ndarray | None = None) -> np.ndarray:
        """Standard normal numbers, one per run or per run of ``runs`` (Box-Muller)."""
        u = self._unit(self._bits(site, runs, 2))  # the same numbers as two calls of uniform
        radius = np.log(u[0])
        radius *= -2.0
        np.sqrt(radius, out=radius)
        angle = u[1]
        angle *= _TWO_PI
        np.cos(angle, out=angle)
        radius *= angle
        return radius

    def bernoulli(
        self, site: str, p: np.ndarray | float, runs: np.ndarray | None = None
    ) -> np.ndarray:
        """True with probability ``p`` (scalar, or one per drawn run), per run or of ``runs``."""
        return self.uniform(site, runs) < p

    def poisson(self, site: str, lam: np.ndarray | float, cap: int = 40) -> np.ndarray:
        """Poisson counts by inversion, capped at ``cap`` (far beyond any monthly rate here)."""
        u = self.uniform(site)
        lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
        p = np.exp(-lam)
        cdf = p.copy()
        count = np.zeros(u.shape, dtype=np.int64)
        for k in range(1, cap + 1):
            above = u > cdf
            if not above.any():
                break
            count += above
            p = p * lam / k
            cdf = cdf + p
        return count

    def choice(self, site: str, probs: np.ndarray) -> np.ndarray:
        """Index drawn per run from rows of probabilities, ``probs`` shaped (options, runs)."""
        u = self.uniform(site)
        cum = np.cumsum(probs, axis=0)
        cum[-1] = np.inf  # guard against rounding leaving u above the last bin
        return (u[None, :] >= cum).sum(axis=0)

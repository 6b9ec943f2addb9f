"""Likelihood-free calibration of the publics' coefficients: ABC-SMC (pyabc), vectorised.

Why ABC: the model has no likelihood one could write down (events, mobilisation and boycotts
are random, opinion runs through cohorts and travel), but it simulates fast. Approximate
Bayesian computation by sequential Monte Carlo (Del Moral, Doucet and Jasra 2012; Toni et al.
2009), as implemented by pyabc (Schaelte et al. 2022), turns "parameters whose simulations come
close to the polls" into a weighted posterior sample, whose spread then goes into every
ensemble (parameter uncertainty, not only the randomness of events).

What is ours and what is pyabc's: pyabc proposes the parameters (priors, the adaptive
multivariate-normal perturbation, importance weights), chooses the tolerances (a quantile of the
last generation's distances) and keeps the history in SQLite, which is what makes a calibration
resumable. :class:`VectorisedSampler` is a pyabc ``Sampler`` that draws a batch of proposals with
pyabc's own proposal function, simulates the whole batch in one :class:`RelationsModel` whose
coefficients are arrays over runs (one run per proposal), on a Dask cluster or a process pool
when an executor is given, and then lets pyabc's own ``evaluate_proposal`` accept or reject
each one. Every proposal draws the random stream named by its (generation, round, position), and
the proposal draws are seeded by (seed, generation, round), so a calibration gives the same
posterior for the same seed on any backend and chunking, and a resumed one the same as an
uninterrupted one.

The distance is the calibration loss of :mod:`model.analysis.calibration` (the root of the mean
over series of each series' weighted mean squared error; visitor totals as log-ratios), computed
on one stochastic run per proposal rather than an ensemble median: the randomness of events is
then part of what the posterior accounts for.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.analysis.calibration import DERIVED_WEIGHT
from model.analysis.polls import VISITOR_PERCENT_PER_POINT, VISITOR_TARGETS, PollTarget, series_offset
from model.analysis.progress import Reporter, progress_line

MAX_BATCH = 4000
"""Most proposals simulated at once (memory stays small: a few variables over the months)."""
MIN_BATCH = 32
"""Fewest proposals simulated at once (a smaller batch wastes the vectorisation)."""
CHUNK = 1000
"""Proposals per model object when an executor spreads a batch over workers."""
TRANSITION_SCALING = 2.0
"""Width of pyabc's multivariate-normal perturbation kernel, as a multiple of its default
(Silverman's rule): see :func:`run_abc`."""


@dataclass
class Setup:
    """What a calibration fits: the scenario (cut at ``until``), the coefficients, the targets.

    Attributes:
        scenario: the replay, ending at the last training month.
        ids: free coefficients, in order.
        low, high: their prior ranges (uniform priors).
        fixed: coefficients set for every run (the structure's fixed choices).
        targets: poll waves and visitor totals the distance compares.
    """

    scenario: object
    ids: list[str]
    low: np.ndarray
    high: np.ndarray
    targets: list[PollTarget]
    fixed: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        months = list(self.scenario.months)
        self.variables = sorted({t.variable for t in self.targets})
        self.windows = [np.array([months.index(m) for m in t.months]) for t in self.targets]
        self.offsets = np.array([series_offset(t.series) for t in self.targets])
        self._observed = np.array([t.value for t in self.targets])
        self._visitors = np.array([t.series in VISITOR_TARGETS for t in self.targets])
        weights = np.array([DERIVED_WEIGHT if t.derived else 1.0 for t in self.targets])
        keys = list(dict.fromkeys(t.series for t in self.targets))
        member = np.array([[t.series == k for t in self.targets] for k in keys], dtype=float)
        # per series, each target's share of the series' weighted mean; series weighted equally
        self._mix = member * weights / (member * weights).sum(axis=1, keepdims=True) / len(keys)

    def errors(self, values: np.ndarray) -> np.ndarray:
        """Errors in poll points of target values, shape (..., targets) (see ``target_error``)."""
        ratio = np.log(np.maximum(values, 1e-9) / self._observed) * (100.0 / VISITOR_PERCENT_PER_POINT)
        return np.where(self._visitors, ratio, values - self._observed)

    def distance(self, values: np.ndarray) -> float:
        """The calibration loss of one proposal's target values (as ``total_loss(loss_parts(...))``)."""
        return float(np.sqrt(self._mix.sum(axis=0) @ self.errors(values) ** 2))


def simulate_targets(
    scenario, ids: list[str], thetas: np.ndarray, fixed: dict, seed: int, stream_ids: np.ndarray,
    variables: list[str], windows: list[np.ndarray], target_vars: list[str], offsets: np.ndarray,
    after_month=None,
) -> np.ndarray:
    """One model object, one run per parameter row: each target's fieldwork-window mean.

    A picklable worker function (it runs on Dask workers and in process pools). ``after_month``,
    if given, is called as ``after_month(model, i, series)`` after each month ``i`` with the
    series so far (the backtest's data assimilation at its origin,
    :class:`model.analysis.assimilation.Assimilation`).

    Returns:
        Array (proposals, targets).
    """
    from model.model import RelationsModel

    params = dict(fixed) | {cid: np.ascontiguousarray(thetas[:, j]) for j, cid in enumerate(ids)}
    runs = thetas.shape[0]
    model = RelationsModel(
        scenario, runs=runs, seed=seed, ledger=False, parameters=params, stream_ids=stream_ids,
        uncertainty="point",
    )
    n = len(scenario.months)
    series = {v: np.empty((n, runs)) for v in variables}
    for i in range(n):
        model.step()
        for v in variables:
            series[v][i] = model.state.get(v)
        if after_month is not None:
            after_month(model, i, series)
    out = np.empty((runs, len(windows)))
    for j, (w, v) in enumerate(zip(windows, target_vars, strict=True)):
        out[:, j] = series[v][w].mean(axis=0) + offsets[j]
    return out


class BatchSimulator:
    """Simulates many proposals at once, in-process or spread over an executor's workers."""

    def __init__(self, setup: Setup, seed: int, executor: Executor | None = None, chunk: int = CHUNK):
        self.setup = setup
        self.seed = seed
        self.executor = executor
        self.chunk = chunk
        self.simulations = 0

    def __call__(self, thetas: np.ndarray, stream_ids: np.ndarray) -> np.ndarray:
        """Target values (proposals, targets) for parameter rows ``thetas``."""
        s = self.setup
        args = (s.variables, s.windows, [t.variable for t in s.targets], s.offsets)
        self.simulations += thetas.shape[0]
        if self.executor is None or thetas.shape[0] <= self.chunk:
            return simulate_targets(s.scenario, s.ids, thetas, s.fixed, self.seed, stream_ids, *args)
        futures = [
            self.executor.submit(
                simulate_targets, s.scenario, s.ids, thetas[a : a + self.chunk], s.fixed, self.seed,
                stream_ids[a : a + self.chunk], *args,
            )
            for a in range(0, thetas.shape[0], self.chunk)
        ]
        return np.concatenate([f.result() for f in futures], axis=0)


def _key(values) -> tuple:
    return tuple(round(float(v), 12) for v in values)


def _make_model(setup: Setup):
    """A pyabc model whose simulations were made beforehand by the batch (looked up by parameters)."""
    import pyabc

    class PrecomputedModel(pyabc.Model):
        """Returns the summary the vectorised batch computed for these parameters."""

        def __init__(self):
            super().__init__(name="publics")
            self.cache: dict[tuple, dict] = {}

        def sample(self, pars):
            return self.cache.pop(_key(pars[cid] for cid in setup.ids))

    return PrecomputedModel()


def _make_sampler(simulator: BatchSimulator, model, setup: Setup, seed: int, progress: Reporter | None):
    import pyabc
    from pyabc.inference_util.inference_util import (
        evaluate_proposal,
        generate_valid_proposal,
        only_simulate_data_for_proposal,
    )

    class VectorisedSampler(pyabc.sampler.Sampler):
        """A pyabc sampler that simulates its proposals in vectorised batches (see the module docstring)."""

        def __init__(self):
            super().__init__()
            self.rate = 0.5

        def propose(self, t: int, kw: dict, size: int) -> list:
            """``size`` proposals: from the (uniform) prior in generation 0, else from pyabc's transition.

            The same draws as pyabc's ``generate_valid_proposal`` would make one at a time (a
            proposal outside the prior's box is drawn again), made for the whole batch at once.
            """
            if len(kw["m"]) != 1:  # several models: fall back on pyabc's own, one at a time
                return [
                    generate_valid_proposal(
                        t, kw["m"], kw["p"], kw["model_prior"], kw["parameter_priors"],
                        kw["model_perturbation_kernel"], kw["transitions"],
                    )
                    for _ in range(size)
                ]
            m = int(kw["m"][0])
            if t == 0:
                x = np.random.uniform(setup.low, setup.high, size=(size, len(setup.ids)))
            else:
                x = np.empty((0, len(setup.ids)))
                for _ in range(1000):
                    draw = kw["transitions"][m].rvs(size=max(size - len(x), 1) * 2)
                    draw = draw[setup.ids].to_numpy(dtype=float)
                    inside = np.all((draw >= setup.low) & (draw <= setup.high), axis=1)
                    x = np.vstack([x, draw[inside]])
                    if len(x) >= size:
                        break
                x = x[:size]
            return [(m, pyabc.Parameter(dict(zip(setup.ids, map(float, row), strict=True)))) for row in x]

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
            kw = simulate_one.keywords  # pyabc's simulate_one is a partial of its _simulate_one
            sample = self._create_empty_sample()
            # batch sizes depend only on this generation's own rounds, so that a resumed run
            # draws exactly what an uninterrupted one would
            self.rate = 0.5
            evaluations = 0
            round_ = 0
            t0 = time.perf_counter()
            while sample.n_accepted < n and evaluations < max_eval:
                entropy = [seed, t + 8, round_]
                np.random.seed(np.random.SeedSequence(entropy).generate_state(1)[0])
                want = (n - sample.n_accepted) / max(self.rate, 0.01) * 1.2
                size = int(min(MAX_BATCH, max(MIN_BATCH, math.ceil(want))))
                proposals = self.propose(t, kw, size)
                thetas = np.array([[theta[cid] for cid in setup.ids] for _, theta in proposals])
                streams = (np.int64(t + 8) << 40) + (np.int64(round_) << 20) + np.arange(size, dtype=np.int64)
                values = simulator(thetas, streams)
                for row, (_, theta) in zip(values, proposals, strict=True):
                    model.cache[_key(theta[cid] for cid in setup.ids)] = {
                        f"t{j}": float(x) for j, x in enumerate(row)
                    }
                accepted_before = sample.n_accepted
                used = 0
                for m_ss, theta in proposals:
                    if kw["evaluate"]:
                        particle = evaluate_proposal(
                            m_ss, theta, t, kw["models"], kw["summary_statistics"], kw["distance_function"],
                            kw["eps"], kw["acceptor"], kw["x_0"], kw["weight_function"], kw["proposal_id"],
                        )
                    else:
                        particle = only_simulate_data_for_proposal(
                            m_ss, theta, t, kw["models"], kw["summary_statistics"], kw["weight_function"],
                            kw["proposal_id"],
                        )
                    sample.append(particle)
                    used += 1
                    if sample.n_accepted >= n:
                        break
                model.cache.clear()
                evaluations += used
                self.rate = max((sample.n_accepted - accepted_before) / used, 0.005)
                round_ += 1
                if progress is not None:
                    progress(progress_line(
                        "progress.generation", t=t, accepted=sample.n_accepted, n=n, evaluations=evaluations,
                        size=size, rate=self.rate, seconds=time.perf_counter() - t0,
                    ))
            self.nr_evaluations_ = evaluations
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return VectorisedSampler()


@dataclass
class Posterior:
    """A weighted sample of coefficient vectors and what produced it."""

    ids: list[str]
    samples: np.ndarray  # (n, k)
    weights: np.ndarray  # (n,), sums to 1
    epsilons: list[float]
    evaluations: int
    seconds: float
    distances: np.ndarray  # (n,)

    def effective_size(self) -> float:
        """Effective sample size of the weights (Kish): how many equally weighted draws they are worth."""
        return float(1.0 / np.sum(self.weights**2))

    def mean(self) -> dict[str, float]:
        """Posterior mean of each coefficient (the point estimate)."""
        return {cid: float(np.sum(self.weights * self.samples[:, j])) for j, cid in enumerate(self.ids)}

    def quantiles(self, qs=(0.05, 0.5, 0.95)) -> dict[str, list[float]]:
        """Weighted quantiles of each coefficient."""
        out = {}
        for j, cid in enumerate(self.ids):
            order = np.argsort(self.samples[:, j])
            cum = np.cumsum(self.weights[order])
            cum /= cum[-1]
            out[cid] = [float(self.samples[order, j][np.searchsorted(cum, q)]) for q in qs]
        return out

    def correlations(self) -> np.ndarray:
        """Weighted correlation matrix of the coefficients (k, k)."""
        x = self.samples
        w = self.weights
        mu = w @ x
        d = x - mu
        cov = (d * w[:, None]).T @ d
        sd = np.sqrt(np.maximum(np.diag(cov), 1e-300))
        return cov / np.outer(sd, sd)

    def resample(self, n: int, seed: int) -> np.ndarray:
        """``n`` equally weighted rows by systematic resampling (deterministic for a seed)."""
        rng = np.random.default_rng(seed)
        positions = (rng.random() + np.arange(n)) / n
        cum = np.cumsum(self.weights)
        cum /= cum[-1]
        return self.samples[np.minimum(np.searchsorted(cum, positions), len(cum) - 1)]


CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "catalogue"
CALIBRATION_OUTPUTS = ("calibrated.yaml", "posterior.yaml")
"""The catalogue files a calibration writes (they do not change what it simulates)."""


def catalogue_fingerprint(folder: Path | None = None) -> bytes:
    """The catalogue files a calibration simulates with (events, decisions, coefficients, ...).

    Why: a calibration resumed after a catalogue change (an event's effect, a fixed coefficient)
    would silently return the posterior of the old model; the settings' name must change with it.
    """
    h = hashlib.sha256()
    for path in sorted((folder or CATALOGUE_DIR).glob("*.yaml")):
        if path.name not in CALIBRATION_OUTPUTS:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.digest()


def settings_hash(setup: Setup, seed: int, population: int, generations: int) -> str:
    """A name for a calibration's settings: the same settings resume the same run.

    The settings are the coefficients and ranges, the targets, the scenario, the seed and
    population, and the catalogue the model simulates with (:func:`catalogue_fingerprint`).
    """
    h = hashlib.sha256()
    h.update(catalogue_fingerprint())
    h.update(repr((setup.ids, setup.low.tolist(), setup.high.tolist(), sorted(setup.fixed.items()),
                   [(t.series, t.month, t.value) for t in setup.targets], setup.scenario.end,
                   seed, population)).encode())
    h.update(setup.scenario.to_yaml().encode())
    return h.hexdigest()[:16]


def run_abc(
    setup: Setup,
    *,
    population: int = 400,
    generations: int = 25,
    seed: int = 2012,
    executor: Executor | None = None,
    db_dir: str | Path | None = None,
    resume: bool = True,
    initial_epsilon: float = 30.0,
    minimum_epsilon: float = 0.0,
    progress: Reporter | None = None,
) -> Posterior:
    """ABC-SMC over the setup's free coefficients (uniform priors on their ranges).

    Args:
        setup: what is fitted.
        population: accepted particles per generation.
        generations: number of generations (each with a tighter tolerance).
        seed: the root seed of proposals and simulations.
        executor: spread each batch over this executor's workers (Dask, processes).
        db_dir: where pyabc's SQLite history is kept (a temporary file when None).
        resume: continue a run with the same settings found in ``db_dir``.
        initial_epsilon: tolerance of the first generation (loss points).
        minimum_epsilon: stop once the tolerance falls below this.
        progress: called with a :class:`~model.analysis.progress.ProgressLine` after every batch and generation.
    """
    import tempfile

    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    t_start = time.perf_counter()
    priors = pyabc.Distribution(
        **{
            cid: pyabc.RV("uniform", float(lo), float(hi - lo))
            for cid, lo, hi in zip(setup.ids, setup.low, setup.high, strict=True)
        }
    )
    simulator = BatchSimulator(setup, seed, executor)
    model = _make_model(setup)
    sampler = _make_sampler(simulator, model, setup, seed, progress)

    def distance(x: dict, x_0: dict) -> float:
        return setup.distance(np.array([x[f"t{j}"] for j in range(len(setup.targets))]))

    observed = {f"t{j}": float(t.value) for j, t in enumerate(setup.targets)}
    tmp = None
    if db_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="rapprochement-abc-")
        db_dir = tmp.name
    db_dir = Path(db_dir)
    db_dir.mkdir(parents=True, exist_ok=True)
    db_path = db_dir / f"abc-{settings_hash(setup, seed, population, generations)}.db"
    db = f"sqlite:///{db_path}"
    done = 0
    if resume and db_path.exists():
        history = pyabc.History(db)
        if history.max_t is not None and history.max_t >= 0:
            done = history.max_t + 1

    def make_abc(initial) -> pyabc.ABCSMC:
        return pyabc.ABCSMC(
            model, priors, distance, population_size=population, sampler=sampler,
            eps=pyabc.QuantileEpsilon(initial_epsilon=initial, alpha=0.5),
            # Twice the default kernel width: with 10-16 coefficients the default's narrow kernels
            # let a few particles take all the importance weight (effective sample size 1 of 200
            # after 9 generations in a test); scaling 2 kept 32 of 200 at a similar tolerance.
            transitions=pyabc.MultivariateNormalTransition(scaling=TRANSITION_SCALING),
        )

    if done:
        # a resumed run's next tolerance is the weighted median of the stored generation's
        # distances, as pyabc's QuantileEpsilon would have set it without the interruption
        from pyabc.weighted_statistics import weighted_quantile

        last = history.get_weighted_distances(t=history.max_t)
        w = last["w"].to_numpy(dtype=float)
        eps = weighted_quantile(points=last["distance"].to_numpy(), weights=w / w.sum(), alpha=0.5)
        abc = make_abc(float(eps))
        abc.load(db, history.id)
        if progress is not None:
            progress(progress_line("progress.resuming", path=db_path, done=done))
    else:
        abc = make_abc(initial_epsilon)
        if db_path.exists():
            db_path.unlink()
        abc.new(db, observed)
    # the summaries of every particle are not needed afterwards, and writing them is slow
    abc.history.stores_sum_stats = False
    try:
        if done < generations:
            history = abc.run(minimum_epsilon=minimum_epsilon, max_nr_populations=generations - done)
        else:
            history = abc.history
        frame, w = history.get_distribution(m=0, t=history.max_t)
        pops = history.get_all_populations()
        eps = [float(e) for e in pops[pops["t"] >= 0]["epsilon"]]
        evaluations = int(pops["samples"].sum())
        dist = history.get_weighted_distances(t=history.max_t)
        result = Posterior(
            ids=list(setup.ids),
            samples=frame[setup.ids].to_numpy(dtype=float),
            weights=np.asarray(w, dtype=float) / np.sum(w),
            epsilons=eps,
            evaluations=evaluations,
            seconds=time.perf_counter() - t_start,
            distances=dist["distance"].to_numpy(dtype=float),
        )
    finally:
        if tmp is not None:
            tmp.cleanup()
    if progress is not None:
        progress(progress_line(
            "progress.done", generations=len(eps), tolerance=eps[-1], evaluations=evaluations,
        ))
    return result

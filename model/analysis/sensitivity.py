"""Which assumptions matter: Morris screening and Sobol indices over the model's coefficients.

The assumptions are the coefficients of ``model/catalogue/coefficients.yaml`` (the numbers a
scenario may override); each is varied over the plausible range the catalogue gives it, with
its source, so the question answered is "over what we consider plausible, which numbers move
the result?". The results are the relationship index and both publics' favourability at the
scenario's last month, each averaged over ``replicates`` runs of the same parameter sample.

Evaluations go through the ensemble engine in one stream: every parameter sample becomes
``replicates`` runs with that sample's coefficients (the model takes coefficients as arrays over
runs), so thousands of samples cost one vectorised ensemble, chunked, on any backend.

Methods (SALib): Morris elementary effects (Morris 1991; ``mu_star`` as in Campolongo, Cariboni
and Saltelli 2007) to screen many assumptions cheaply, and Sobol variance indices (Saltelli et al.
2010) for first-order ``S1`` and total ``ST`` shares of the output's variance.

The explorer's tornado (:func:`tornado`) is the classic one-at-a-time swing diagram instead: each
assumption at the low and the high end of its range, everything else as written, with common
random numbers, so that a reader can be told in one sentence what a bar is and the ranking holds
from seed to seed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.backends import open_executor
from model.catalogue import Coefficient, load_catalogue
from model.ensemble import iter_chunks
from model.i18n import tr
from model.scenario import Scenario
from model.state import OUTPUT_VARIABLES

OUTPUTS = ("relationship_index", "kr_favorable_japan", "jp_favorable_korea")
METHODS = ("morris", "sobol")
MORRIS_LEVELS = 4  # the usual grid (Saltelli et al., Global Sensitivity Analysis, 2008, ch. 3)
Progress = Callable[[int, int], None]


class SensitivityError(ValueError):
    """A request that cannot be analysed (unknown parameter or output, bad sizes)."""


@dataclass(frozen=True)
class Design:
    """Sizes of an analysis: how many samples, and runs per sample."""

    method: str = "morris"
    samples: int = 10  # Morris trajectories, or Sobol base samples N (a power of 2)
    replicates: int = 10

    def points(self, k: int) -> int:
        """Parameter samples the design evaluates for ``k`` parameters."""
        return self.samples * (k + 1 if self.method == "morris" else k + 2)


def select_parameters(names: Sequence[str] | None = None, *, screen: bool = False) -> list[Coefficient]:
    """The coefficients to vary: ids or group names (``rate``, ``public``...), default all.

    ``screen``: for the explorer's tornado, whose default leaves out the units of measure
    (``screen: false`` in the catalogue: their swing is that of the weight they divide).

    Raises:
        SensitivityError: A name that is neither a coefficient nor a group (with suggestions),
            or fewer than two parameters in all.
    """
    coefficients = load_catalogue().coefficients
    groups = sorted({c.group for c in coefficients.values()})
    if not names:
        chosen = [c for c in coefficients.values() if c.screen or not screen]
    else:
        chosen, unknown = [], []
        for name in names:
            if name in coefficients:
                chosen.append(coefficients[name])
            elif name in groups:
                chosen.extend(c for c in coefficients.values() if c.group == name)
            else:
                unknown.append(name)
        if unknown:
            hints = [
                f"{name} ({tr('sensitivity.did_you_mean')} {', '.join(close)})"
                if (close := difflib.get_close_matches(name, list(coefficients) + groups, 3))
                else name
                for name in unknown
            ]
            raise SensitivityError(tr("sensitivity.unknown_params", names="; ".join(hints), groups=", ".join(groups)))
        chosen = list({c.id: c for c in chosen}.values())  # keep order, drop repeats
    # a number from the data (a range of one value, such as the 2012 travel references) is not varied
    chosen = [c for c in chosen if c.range[1] > c.range[0]]
    if len(chosen) < 2:
        raise SensitivityError(tr("sensitivity.too_few_params"))
    return chosen


def problem_for(parameters: Sequence[Coefficient]) -> dict:
    """SALib's problem: names and the catalogue's plausible ranges."""
    return {
        "num_vars": len(parameters),
        "names": [c.id for c in parameters],
        "bounds": [list(c.range) for c in parameters],
    }


def sample(problem: dict, design: Design, seed: int) -> np.ndarray:
    """Parameter samples, one row per point, for the design's method."""
    if design.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, N=design.samples, num_levels=MORRIS_LEVELS, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem, design.samples, calc_second_order=False, seed=seed)


def evaluate(
    scenario: Scenario,
    names: Sequence[str],
    points: np.ndarray,
    replicates: int,
    seed: int,
    outputs: Sequence[str] = OUTPUTS,
    executor=None,  # noqa: ANN001 - any concurrent.futures.Executor
    progress: Progress | None = None,
) -> np.ndarray:
    """Mean of each output at the scenario's end for each parameter sample.

    Sample ``s`` is runs ``s * replicates`` to ``s * replicates + replicates - 1`` of one
    ensemble whose coefficients are arrays over runs; the ensemble streams in chunks, and only
    the last month of the outputs is kept, so memory does not grow with the design. Replicate
    ``r`` of every sample draws the random stream of run ``r`` (common random numbers): two
    samples differ by their parameters, not by their luck, so an assumption that cannot act
    gets an index of exactly zero and the ones that act stand out with few replicates.

    Returns:
        Array shaped (samples, outputs).
    """
    index = [OUTPUT_VARIABLES.index(name) for name in outputs]
    runs = points.shape[0] * replicates
    parameters = {name: np.repeat(points[:, j], replicates) for j, name in enumerate(names)}
    streams = np.tile(np.arange(replicates), points.shape[0])
    finals = np.empty((len(outputs), runs))
    for chunk in iter_chunks(
        scenario,
        runs,
        seed,
        executor=executor,
        parameters=parameters,
        progress=progress,
        stream_ids=streams,
        uncertainty="point",  # effects around the point estimate; the design varies the coefficients
    ):
        count = chunk.values.shape[2]
        finals[:, chunk.first : chunk.first + count] = chunk.values[-1, index, :]
    return finals.reshape(len(outputs), points.shape[0], replicates).mean(axis=2).T


def analyse(problem: dict, design: Design, points: np.ndarray, y: np.ndarray) -> dict:
    """SALib indices of one output (``y`` one value per sample)."""
    if design.method == "morris":
        from SALib.analyze import morris

        return morris.analyze(problem, points, y, num_levels=MORRIS_LEVELS, seed=0)
    from SALib.analyze import sobol

    if np.ptp(y) == 0:  # a constant output: no variance to share out
        zeros = np.zeros(problem["num_vars"])
        return {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}
    return sobol.analyze(problem, y, calc_second_order=False, seed=0)


COLUMNS = {
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
    "sobol": ("ST", "ST_conf", "S1", "S1_conf"),
}


def run_sensitivity(
    scenario: Scenario,
    method: str = "morris",
    params: Sequence[str] | None = None,
    *,
    samples: int | None = None,
    replicates: int = 10,
    seed: int = 0,
    outputs: Sequence[str] = OUTPUTS,
    backend: str = "local",
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Rank the assumptions by how much they move each output at the scenario's end.

    Args:
        scenario: A validated scenario.
        method: ``"morris"`` (screening) or ``"sobol"`` (variance shares).
        params: Coefficient ids or group names to vary (default: every coefficient).
        samples: Morris trajectories (default 10) or Sobol base samples, a power of 2
            (default 64).
        replicates: Runs per parameter sample, averaged (the model is stochastic).
        seed: Root seed of both the sampling and the ensemble.
        outputs: Variables read at the scenario's last month.
        backend: Where the runs are computed (see ``model.backends``).
        scheduler: Dask scheduler address for ``backend="dask"``.
        progress: Called with (runs done, runs in all).

    Returns:
        One row per output and parameter, ranked within each output (1 = matters most):
        ``output, rank, parameter, group, low, high`` and the method's indices (Morris:
        ``mu_star, mu_star_conf, sigma, mu``; Sobol: ``ST, ST_conf, S1, S1_conf``).

    Raises:
        SensitivityError: Unknown method, parameter or output, or impossible sizes.
    """
    if method not in METHODS:
        raise SensitivityError(tr("sensitivity.unknown_method", name=method))
    unknown = [name for name in outputs if name not in OUTPUT_VARIABLES]
    if unknown:
        raise SensitivityError(
            tr("sensitivity.unknown_outputs", names=", ".join(unknown), known=", ".join(OUTPUT_VARIABLES))
        )
    design = Design(method, samples or (10 if method == "morris" else 64), replicates)
    if design.samples < 2 or design.replicates < 1:
        raise SensitivityError(tr("sensitivity.bad_sizes"))
    if method == "sobol" and design.samples & (design.samples - 1):
        raise SensitivityError(tr("sensitivity.sobol_power_of_two", samples=design.samples))
    chosen = select_parameters(params)
    problem = problem_for(chosen)
    points = sample(problem, design, seed)
    with ExitStack() as stack:
        executor = None
        if backend != "local":
            executor = stack.enter_context(open_executor(backend, scheduler))
        y = evaluate(scenario, problem["names"], points, replicates, seed, outputs, executor, progress)
    frames = []
    for j, output in enumerate(outputs):
        indices = analyse(problem, design, points, y[:, j])
        frame = pd.DataFrame(
            {
                "output": output,
                "parameter": problem["names"],
                "group": [c.group for c in chosen],
                "low": [c.range[0] for c in chosen],
                "high": [c.range[1] for c in chosen],
            }
            | {col: np.asarray(indices[col], dtype=float) for col in COLUMNS[method]}
        )
        frame = frame.sort_values(COLUMNS[method][0], ascending=False, kind="stable")
        frame.insert(1, "rank", np.arange(1, len(frame) + 1))
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table.attrs.update(method=method, points=len(points), replicates=replicates, seed=seed)
    return table


SWING_REPLICATES = 100
"""Runs per setting of the explorer's tornado (before the refinement adds runs where the fifth
place is in doubt). ``bench/tornado_stability.py`` shows where the top five agree at seeds 0, 1,
2 and 7: the liquidation what-if's outputs do; a few (scenario, output) pairs have a true tie at
the fifth place, which no number of runs settles."""

Z90 = 1.6448536269514722  # two-sided 90% normal quantile, for the intervals of mean differences
Z99 = 2.5758293035489004  # two-sided 99%: how wide the refinement looks for doubt (see boundary_contenders)


def swing_design(
    scenario: Scenario, parameters: Sequence[Coefficient], replicates: int
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Coefficient arrays over runs for one-at-a-time swings, and their random streams.

    Setting 0 is the scenario as written; setting ``2j + 1`` puts parameter ``j`` at the low
    end of its plausible range and ``2j + 2`` at the high end, everything else as written.
    Each setting is ``replicates`` runs, and replicate ``r`` of every setting draws the stream
    of run ``r`` (common random numbers), so two settings differ by their parameter only.

    Returns:
        ``(parameters, stream_ids, as_written)``: arrays over runs for ``iter_chunks``, the
        stream of each run, and each parameter's value as the scenario writes it.
    """
    as_written = np.array([float(scenario.parameters.get(c.id, c.value)) for c in parameters])
    settings = 1 + 2 * len(parameters)
    arrays = {}
    for j, c in enumerate(parameters):
        values = np.full(settings * replicates, as_written[j])
        values[(2 * j + 1) * replicates : (2 * j + 2) * replicates] = c.range[0]
        values[(2 * j + 2) * replicates : (2 * j + 3) * replicates] = c.range[1]
        arrays[c.id] = values
    return arrays, np.tile(np.arange(replicates), settings), as_written


REFINE_ROUNDS = 4
"""Times the runs of the assumptions at the tornado's boundary may double (100 -> 1,600 each)."""


def boundary_contenders(swings: Sequence[np.ndarray], focus: int) -> list[int]:
    """Indices of the assumptions whose place around the ``focus``-th is still in doubt.

    The threshold is midway between the ``focus``-th and the next longest swing; an assumption
    contends when the 99% interval of its swing's length reaches across it. None when the two
    sides are already apart (or there are not more assumptions than ``focus``).

    Why 99% and not the 90% of the whiskers: the screen looks at some ninety assumptions at
    once, so at 90% a few intervals miss their true swing by chance, and one that missed upward
    sat in the top five at one seed only (liquidation what-if, seed 0, ``security_base``: 9.6
    points on 100 runs, 8.2-8.3 on 1,600 at the other seeds).
    """
    if len(swings) <= focus:
        return []
    stats = [_mean_interval(x) for x in swings]
    length = np.array([abs(m) for m, _, _ in stats])
    half = np.array([(hi - lo) / 2 for _, lo, hi in stats]) * (Z99 / Z90)
    order = np.argsort(-length, kind="stable")
    threshold = (length[order[focus - 1]] + length[order[focus]]) / 2
    near = [int(j) for j in order if abs(length[j] - threshold) <= half[j]]
    return near if len(near) >= 1 and any(length[j] >= threshold for j in near) and any(
        length[j] < threshold for j in near
    ) else []


def _refine_design(
    scenario: Scenario,
    chosen: Sequence[Coefficient],
    contenders: Sequence[int],
    swings: Sequence[np.ndarray],
    written: np.ndarray,
    start: int,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Arrays for new runs of each contender at each end (as many as the most refined has).

    Returns:
        ``(parameters, stream_ids)``: contender ``k`` at its low end then its high end, each
        ``n`` runs drawing streams ``start .. start + n - 1``, the same at both ends and never
        drawn before (the caller moves ``start`` on).
    """
    blocks: list[tuple[int, int, float, int]] = []  # (parameter, end, value, runs)
    ids: list[np.ndarray] = []
    n = max(len(swings[j]) for j in contenders)
    for j in contenders:
        for end in (0, 1):
            blocks.append((j, end, float(chosen[j].range[end]), n))
            ids.append(np.arange(start, start + n))
    total = sum(b[3] for b in blocks)
    arrays = {c.id: np.full(total, written[i]) for i, c in enumerate(chosen)}
    first = 0
    for j, _end, value, count in blocks:
        arrays[chosen[j].id][first : first + count] = value
        first += count
    return arrays, np.concatenate(ids)


def _mean_interval(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over the last axis and its 90% interval (normal approximation of the mean)."""
    mean = x.mean(axis=-1)
    half = Z90 * x.std(axis=-1, ddof=1) / np.sqrt(x.shape[-1]) if x.shape[-1] > 1 else np.zeros_like(mean)
    return mean, mean - half, mean + half


def tornado(
    scenario: Scenario,
    output: str = "relationship_index",
    params: Sequence[str] | None = None,
    *,
    replicates: int = SWING_REPLICATES,
    seed: int = 0,
    top: int | None = 12,
    lang: str = "en",
    backend: str = "local",
    progress: Progress | None = None,
    focus: int = 5,
    max_runs: int | None = None,
) -> pd.DataFrame:
    """The explorer's tornado: how far each assumption, swung across its range, moves one output.

    Method, in plain words: the scenario is run ``replicates`` times as written, and as many
    times with each assumption at the low end and at the high end of its plausible range
    (everything else as written), all with the same random draws; a bar spans the output's
    mean at the scenario's last month between the two ends. The longest bars are the
    assumptions that matter most for this scenario. One assumption moves at a time, so an
    effect that only shows when two move together is not seen (``run_sensitivity``'s Morris
    and Sobol designs, on the command line, do see it).

    Why this method for the explorer: with common random numbers a swing is a paired
    difference whose noise is small, so the ranking is stable from seed to seed (the issue-4
    Morris design of 4 trajectories gave a different first bar at different seeds). Where the
    order at the ``focus``-th place is still in doubt (the intervals of the assumptions around
    it overlap), those assumptions get twice the runs, up to :data:`REFINE_ROUNDS` times, on
    fresh streams: the runs go where the ranking is uncertain. Assumptions whose effects are
    truly equal stay tied (their whiskers overlap), and no number of runs orders them.

    Args:
        scenario: A validated scenario.
        output: The output variable, read at the scenario's last month.
        params: Coefficient ids or groups (default: every coefficient but the units of measure,
            ``screen: false`` in the catalogue; see :func:`select_parameters`).
        replicates: Runs per setting.
        seed: Root seed of the runs.
        top: How many rows to return (``None``: all).
        lang: Language of ``label`` and ``meaning``.
        backend: Where the runs are computed (see ``model.backends``).
        progress: Called with (runs done, runs in all) for each batch of runs.
        focus: The place whose order the refinement settles (the top five by default).
        max_runs: Most runs in all (``None``: no bound). The first pass always runs (its
            caller prices it before it starts); a refinement round that would pass the bound
            is not started, so a server's budget bounds the whole screen.

    Returns:
        One row per assumption, longest bar first: ``parameter``, ``label``, ``meaning``,
        ``group``, ``low``, ``high`` (its plausible range), ``value`` (as written),
        ``at_low``, ``at_high`` (the output's mean with the assumption at each end),
        ``at_low_lo``, ``at_low_hi``, ``at_high_lo``, ``at_high_hi`` (90% intervals of those
        means, from the paired differences to the scenario as written), ``swing``
        (``at_high - at_low``) with ``swing_lo``, ``swing_hi`` and ``swing_runs`` (runs at each
        end behind it, more for the refined ones), and ``as_written``, the
        output's mean with every assumption as written. ``attrs`` hold the method, the
        month, the seed and the runs.
    """
    if output not in OUTPUT_VARIABLES:
        raise SensitivityError(
            tr("sensitivity.unknown_outputs", names=output, known=", ".join(OUTPUT_VARIABLES))
        )
    if replicates < 2:
        raise SensitivityError(tr("sensitivity.bad_sizes"))
    chosen = select_parameters(params, screen=True)
    arrays, streams, written = swing_design(scenario, chosen, replicates)
    settings = 1 + 2 * len(chosen)
    index = OUTPUT_VARIABLES.index(output)
    with ExitStack() as stack:
        executor = None
        if backend != "local":
            executor = stack.enter_context(open_executor(backend, scheduler=None))

        def finals(parameters: dict[str, np.ndarray], ids: np.ndarray) -> np.ndarray:
            out = np.empty(len(ids))
            for chunk in iter_chunks(
                scenario, len(ids), seed, executor=executor, parameters=parameters, progress=progress,
                stream_ids=ids,
            ):
                out[chunk.first : chunk.first + chunk.values.shape[2]] = chunk.values[-1, index, :]
            return out

        y = finals(arrays, streams).reshape(settings, replicates)
        base = y[0]
        lows, highs = y[1::2], y[2::2]
        swings = [highs[j] - lows[j] for j in range(len(chosen))]
        runs = settings * replicates
        fresh = replicates  # the next stream no run has drawn yet
        for _ in range(REFINE_ROUNDS):
            contenders = boundary_contenders(swings, focus)
            if not contenders:
                break
            # More runs for the assumptions whose order at the boundary is in doubt, on fresh
            # streams shared by both ends (common random numbers again).
            extra, grown = _refine_design(scenario, chosen, contenders, swings, written, fresh)
            if max_runs is not None and runs + len(grown) > max_runs:
                break  # the budget is spent: the ranking keeps the intervals it has
            fresh += len(grown) // (2 * len(contenders))
            more = finals(extra, grown).reshape(len(contenders), 2, -1)
            for k, j in enumerate(contenders):
                swings[j] = np.concatenate([swings[j], more[k, 1] - more[k, 0]])
            runs += len(grown)
    mean_base = float(base.mean())
    low_mean, low_lo, low_hi = _mean_interval(lows - base)
    high_mean, high_lo, high_hi = _mean_interval(highs - base)
    intervals = [_mean_interval(x) for x in swings]
    swing = np.array([m for m, _, _ in intervals])
    swing_lo = np.array([lo for _, lo, _ in intervals])
    swing_hi = np.array([hi for _, _, hi in intervals])
    table = pd.DataFrame(
        {
            "parameter": [c.id for c in chosen],
            "label": [tr(f"coefficient.{c.id}.label", lang) for c in chosen],
            "meaning": [tr(f"coefficient.{c.id}.meaning", lang) for c in chosen],
            "group": [c.group for c in chosen],
            "low": [float(c.range[0]) for c in chosen],
            "high": [float(c.range[1]) for c in chosen],
            "value": written,
            "at_low": mean_base + low_mean,
            "at_low_lo": mean_base + low_lo,
            "at_low_hi": mean_base + low_hi,
            "at_high": mean_base + high_mean,
            "at_high_lo": mean_base + high_lo,
            "at_high_hi": mean_base + high_hi,
            "swing": swing,
            "swing_lo": swing_lo,
            "swing_hi": swing_hi,
            "swing_runs": [len(x) for x in swings],
            "as_written": mean_base,
        }
    )
    order = table["swing"].abs().sort_values(ascending=False, kind="stable").index
    table = table.loc[order].reset_index(drop=True)
    table.attrs.update(
        method="one_at_a_time", output=output, month=scenario.end, seed=seed, replicates=replicates,
        runs=runs,
    )
    return (table.head(top) if top else table).reset_index(drop=True)

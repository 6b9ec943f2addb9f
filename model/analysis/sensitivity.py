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


def select_parameters(names: Sequence[str] | None = None) -> list[Coefficient]:
    """The coefficients to vary: ids or group names (``rate``, ``public``...), default all.

    Raises:
        SensitivityError: A name that is neither a coefficient nor a group (with suggestions),
            or fewer than two parameters in all.
    """
    coefficients = load_catalogue().coefficients
    groups = sorted({c.group for c in coefficients.values()})
    if not names:
        chosen = list(coefficients.values())
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


def tornado(
    scenario: Scenario,
    output: str = "relationship_index",
    params: Sequence[str] | None = None,
    *,
    trajectories: int = 4,
    replicates: int = 8,
    seed: int = 0,
    top: int | None = 12,
    lang: str = "en",
) -> pd.DataFrame:
    """The explorer's tornado: Morris ``mu_star`` of the assumptions for one output, ranked.

    A small design (default 4 trajectories of 8 runs per sample) keeps it interactive; the
    ranking of the few assumptions that dominate is stable at that size, the tail is not, so
    only the ``top`` rows are returned.

    Returns:
        Columns ``parameter, label, group, mu_star, sigma, mu_star_conf, low, high``, largest
        ``mu_star`` first; ``label`` is the coefficient's meaning in ``lang``.
    """
    table = run_sensitivity(
        scenario,
        "morris",
        params,
        samples=trajectories,
        replicates=replicates,
        seed=seed,
        outputs=(output,),
    )
    table = table.drop(columns=["output", "rank"])
    table.insert(1, "label", [tr(f"coefficient.{pid}.meaning", lang) for pid in table.parameter])
    table = table[["parameter", "label", "group", "mu_star", "sigma", "mu_star_conf", "low", "high"]]
    return (table.head(top) if top else table).reset_index(drop=True)

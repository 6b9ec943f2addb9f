"""The plainest Mesa 3.5 model: the yardstick the project's ensemble speed is measured against.

Five agents, three model reporters through a DataCollector, one model object per run, as a
newcomer to Mesa would write it from the tutorial. Each run is ``--steps`` monthly steps; the
runs' reporter tables are concatenated into one tidy table (run, step, reporter values) and, with
``--out``, written to Parquet, so that this process does the same kind of work as
``rapprochement run ... --out x.parquet``: imports, simulate, collect, write.

Run: ``python bench/plain_mesa.py --runs 1000 --steps 120 --out /tmp/plain.parquet``
(``bench/run_benchmark.py`` times this whole process from interpreter start to exit).
"""

from __future__ import annotations

import argparse

import mesa
import numpy as np
import pandas as pd


class Opinion(mesa.Agent):
    """An agent holding one opinion score that drifts a little each month."""

    def __init__(self, model: PlainModel) -> None:
        super().__init__(model)
        self.value = 50.0

    def step(self) -> None:
        """Drift by a small random amount, then relax toward the middle of the scale."""
        self.value += self.random.gauss(0.0, 1.0) + 0.05 * (50.0 - self.value)


def mean_value(model: PlainModel) -> float:
    """Mean opinion over the agents."""
    return float(model.agents.agg("value", np.mean))


def max_value(model: PlainModel) -> float:
    """Highest opinion among the agents."""
    return float(model.agents.agg("value", max))


def min_value(model: PlainModel) -> float:
    """Lowest opinion among the agents."""
    return float(model.agents.agg("value", min))


class PlainModel(mesa.Model):
    """Five drifting agents and a DataCollector with three model reporters."""

    def __init__(self, n_agents: int = 5, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        Opinion.create_agents(self, n_agents)
        self.datacollector = mesa.DataCollector(
            model_reporters={"mean": mean_value, "max": max_value, "min": min_value}
        )

    def step(self) -> None:
        """Step every agent in random order, then record the reporters."""
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)


def run_all(runs: int, steps: int, seed: int) -> pd.DataFrame:
    """Run ``runs`` models of ``steps`` steps each, one model object per run; return one table."""
    tables = []
    for run in range(runs):
        model = PlainModel(rng=seed + run)
        for _ in range(steps):
            model.step()
        table = model.datacollector.get_model_vars_dataframe()
        table.insert(0, "step", np.arange(1, steps + 1))
        table.insert(0, "run", run)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run, and optionally write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="Parquet file for the tidy table (optional)")
    args = parser.parse_args(argv)
    table = run_all(args.runs, args.steps, args.seed)
    if args.out:
        table.to_parquet(args.out, index=False)


if __name__ == "__main__":
    main()

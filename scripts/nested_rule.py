"""Choose the assimilation's fading rule at each origin from earlier origins only (nested), and score it.

    .venv/bin/rapprochement backtest scenarios/history-2012-2025.yaml --origins 2014-12 --seed S \
        --alternatives --no-docs --out /tmp/o14.json
    .venv/bin/rapprochement backtest scenarios/history-2012-2025.yaml --seed S --alternatives \
        --no-docs --out /tmp/main.json
    .venv/bin/python scripts/nested_rule.py /tmp/o14.json /tmp/main.json

Why: the shipped rule (a 12-month half-life) was picked by the backtest on the very polls it is
scored on, so its score is optimistic. Here the rule used at origin O is the one with the lowest
level error (MAE, poll series) on the polls published by O, as forecast from the earlier origins;
origin 2014-12 serves only to choose the rule for 2015-12. Prints, per origin, each rule's MAE on
those earlier polls, the choice, and the chosen rule's scores at O (docs/VALIDATION.md, round 6).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

RULES = {
    "model_free": "free start",
    "model_residuals": "residuals",
    "model_opinion_pace": "opinion_pace",
    "model": "half_life_12 (shipped)",
    "model_no_fade": "no_fade",
}


def load(paths: list[Path]) -> pd.DataFrame:
    """The poll-series rows of one or more backtest JSON files (``--alternatives`` runs)."""
    frames = [pd.DataFrame(json.loads(p.read_text(encoding="utf-8"))["scores"]) for p in paths]
    scores = pd.concat(frames, ignore_index=True)
    return scores[~scores["series"].str.contains("visitors")]


def nested(scores: pd.DataFrame, origins: list[str]) -> pd.DataFrame:
    """Per origin: the rule with the lowest MAE on the polls by that origin from earlier origins."""
    rows = []
    for origin in origins:
        prior = scores[(scores.origin < origin) & (scores.month <= origin) & scores.method.isin(RULES)]
        if prior.empty:
            continue
        mae = prior.groupby("method")["abs_error"].mean()
        best = str(mae.idxmin())
        here = scores[(scores.origin == origin) & (scores.method == best)]
        rows.append({
            "origin": origin,
            "earlier polls": int(prior.groupby("method").size().iloc[0]),
            **{f"MAE {RULES[m]}": round(float(v), 2) for m, v in mae.items()},
            "chosen": RULES[best],
            "MAE": round(float(here.abs_error.mean()), 2),
            "directions": round(float(here.direction_right.mean()), 2),
            "90% cov.": round(float(here.in90.mean()), 2),
            "CRPS": round(float(here.crps.mean()), 2),
        })
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The table as a Markdown table (as docs/VALIDATION.md writes them)."""
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def main() -> None:
    """Print the nested choice for the given backtest files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="backtest JSON files run with --alternatives")
    parser.add_argument("--origins", default="2015-12,2016-12,2017-12")
    args = parser.parse_args()
    table = nested(load(args.files), args.origins.split(","))
    print(markdown(table) if not table.empty else "no origin has an earlier one")


if __name__ == "__main__":
    main()

"""The backtest's tables and chart, for docs/VALIDATION.md and the Model & data page.

Why a module of its own: one command (``rapprochement backtest``) regenerates the tables and
the chart that the docs and the app show, so they never disagree with the scores behind them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from model.analysis.backtest import METHODS, poll_summary, summarise, verdict
from model.analysis.polls import VISITOR_PERCENT_PER_POINT, VISITOR_TARGETS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "VALIDATION.md"
CHART = ROOT / "docs" / "validation" / "backtest.png"
STRUCTURES_FILE = Path(__file__).resolve().parents[1] / "validation" / "structures.json"
"""Every structure backtested, with its scores per origin (the record of what was tried)."""


def _md(df: pd.DataFrame, floatfmt: str = "{:.2f}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        cells = []
        for v in row:
            if isinstance(v, bool | np.bool_):
                cells.append("yes" if v else "**no**")
            elif isinstance(v, float):
                cells.append(floatfmt.format(v))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def series_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Per origin, series and method: n, MAE (visitors in percent), directions, coverage, CRPS."""
    t = summarise(scores)
    visitors = t["series"].isin(list(VISITOR_TARGETS))
    t.loc[visitors, ["mae", "crps"]] *= VISITOR_PERCENT_PER_POINT
    t["unit"] = np.where(visitors, "%", "points")
    return t[["origin", "series", "method", "n", "unit", "mae", "directions", "cover50", "cover90", "crps"]]


def verdict_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Per origin, the issue's targets on the poll series: met or not, with the figures."""
    v = verdict(poll_summary(scores))
    return v[["origin", "mae_model", "mae_persistence", "mae_ar1", "beats_persistence", "beats_ar1",
              "directions", "directions_ok", "cover90", "cover90_ok", "crps_model", "crps_persistence", "crps_ar1"]]


def record_structure(scores: pd.DataFrame, provenance: dict, path: Path = STRUCTURES_FILE) -> dict:
    """Add (or replace) this structure's scores in the record of structures tried."""
    doc = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"structures": {}}
    v = verdict(poll_summary(scores))
    doc["structures"][provenance["structure"]] = {
        "description": provenance.get("description", ""),
        "command": provenance.get("command", ""),
        "date": provenance.get("date", ""),
        "per_origin": json.loads(v.to_json(orient="records")),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return doc


def record_variants(scores: pd.DataFrame, provenance: dict, path: Path = STRUCTURES_FILE) -> None:
    """Record the shipped forecast and every variant scored alongside it (free start, other fading rules).

    The shipped forecast is recorded under the structure's name; a variant ``model_X`` under
    "STRUCTURE, X" (``free`` for the forecast from the model's own level at the origin).
    """
    from model.analysis.assimilation import RULES

    baselines = ~scores["method"].str.startswith("model")
    record_structure(scores[baselines | (scores["method"] == "model")], provenance, path)
    for method in dict.fromkeys(m for m in scores["method"] if m.startswith("model_")):
        name = method.removeprefix("model_")
        what = ("forecast from the model's own level at the origin (no assimilation of the last poll)"
                if name == "free" else f"the gap to the last poll fades at {RULES[name]}")
        variant = scores[baselines | (scores["method"] == method)].replace({"method": {method: "model"}})
        record_structure(variant, provenance | {
            "structure": f"{provenance['structure']}, {name}",
            "description": f"{provenance.get('description', '')} Variant: {what}.",
        }, path)


def structures_table(path: Path = STRUCTURES_FILE) -> pd.DataFrame:
    """One row per structure tried and origin: the poll scores against the baselines."""
    if not path.exists():
        return pd.DataFrame()
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for name, s in doc["structures"].items():
        for o in s["per_origin"]:
            rows.append({
                "structure": name, "origin": o["origin"], "MAE model": o["mae_model"],
                "MAE persistence": o["mae_persistence"], "MAE AR(1)": o["mae_ar1"],
                "directions": o["directions"], "90% coverage": o["cover90"], "CRPS model": o["crps_model"],
                "CRPS AR(1)": o["crps_ar1"],
            })
    return pd.DataFrame(rows)


def draw_chart(scores: pd.DataFrame, path: Path = CHART) -> Path:
    """Forecast against observed for each origin and poll series: model band, baselines, polls."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    polls = scores[~scores["series"].isin(list(VISITOR_TARGETS))]
    origins = list(dict.fromkeys(polls["origin"]))
    series = list(dict.fromkeys(polls["series"]))
    fig, axes = plt.subplots(len(series), len(origins), figsize=(4.2 * len(origins), 2.8 * len(series)),
                             dpi=100, squeeze=False, sharey="row")
    colours = {"model": "#08519c", "persistence": "#7f7f7f", "ar1": "#ff7f0e"}
    for i, key in enumerate(series):
        for j, origin in enumerate(origins):
            ax = axes[i, j]
            d = polls[(polls["series"] == key) & (polls["origin"] == origin)]
            m = d[d["method"] == "model"]
            x = m["year"].to_numpy()
            ax.fill_between(x, m["q05"], m["q95"], color="#9ecae1", alpha=0.6, label="model 90% band")
            for method in METHODS:
                dm = d[d["method"] == method]
                ax.plot(dm["year"], dm["median"], "-", color=colours[method], lw=1.6 if method == "model" else 1.0,
                        label=method if method != "ar1" else "AR(1)")
            ax.plot(m["year"], m["observed"], "o", color="#d62728", label="poll (held back)")
            ax.set_title(f"{key}, origin {origin}", fontsize=9)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7, loc="best")
    fig.suptitle("Backtest: calibrated up to each origin, forecast from the events alone (poll points)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def blocks(scores: pd.DataFrame, provenance: dict) -> dict[str, str]:
    """The generated blocks of docs/VALIDATION.md that the backtest owns."""
    summary = (
        f"Backtest of structure `{provenance['structure']}` on {provenance['date']}: "
        f"`{provenance['command']}` ({provenance['seconds']:.0f} s; ABC-SMC population "
        f"{provenance['population']}, {provenance['generations']} generations; {provenance['runs']} "
        f"forecast runs per origin; data sha256 {provenance['data_sha256']})."
    )
    return {
        "backtest_summary": summary,
        "backtest_verdict": _md(verdict_table(scores)),
        "backtest_series": _md(series_table(scores)),
        "backtest_structures": _md(structures_table()),
    }


def refresh_doc(gen: dict[str, str], doc: Path = DOC) -> None:
    """Replace each generated block of VALIDATION.md (between the generated:NAME markers)."""
    text = doc.read_text(encoding="utf-8")
    for name, body in gen.items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"{doc}: no generated block named {name!r}")
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    doc.write_text(text, encoding="utf-8")

"""Draw the replay's fit to the polls and refresh the numbers in docs/VALIDATION.md.

    .venv/bin/python scripts/build_validation.py [--runs 300] [--seed 2024]

Runs the historical replay with the calibrated coefficients (the catalogue reads
model/catalogue/calibrated.yaml), writes PNG charts to docs/validation/ (matplotlib, which the
project already has as a dependency of SALib), and replaces the generated blocks of
docs/VALIDATION.md (between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``) with
fresh tables. The prose around them is written by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.analysis import calibration as cal  # noqa: E402
from model.analysis import fit  # noqa: E402
from model.analysis.polls import HOLDOUT_START, SERIES, series_offset  # noqa: E402
from model.i18n import place  # noqa: E402

FIG = ROOT / "docs" / "validation"
MARKERS = ["2012-08", "2013-12", "2015-12", "2017-05", "2018-10", "2019-07", "2023-03"]
MARKER_LABELS = [
    place("dokdo", "both") + " visit",
    "Yasukuni",
    "2015 deal",
    "Moon",
    "rulings",
    "export controls",
    "2023 fund",
]


def _dates(months) -> pd.DatetimeIndex:
    return pd.to_datetime(pd.Index(months) + "-15")


def draw_public(view: fit.FitView, variable: str, title: str, path: Path) -> None:
    """Median and 90% band of one public against its poll series (training and held out)."""
    b = view.bands[view.bands["variable"] == variable]
    x = _dates(b["month"])
    fig, ax = plt.subplots(figsize=(10, 4.2), dpi=110)
    ax.fill_between(x, b["low"], b["high"], color="#9ecae1", alpha=0.6, label="model, 90% of runs")
    ax.plot(x, b["median"], color="#08519c", lw=1.8, label="model, median")
    pts = view.points[view.points["variable"] == variable]
    styles = {
        "kr_good_impression": ("o", "#d62728"),
        "jp_good_impression": ("o", "#d62728"),
        "jp_affinity": ("s", "#ff7f0e"),
    }
    for key, grp in pts.groupby("series"):
        marker, colour = styles[key]
        shift = series_offset(key)
        label = SERIES[key].label + (f" minus {shift:.1f} (wording offset)" if shift else "")
        ax.scatter(
            _dates(grp["month"]), grp["observed_model_scale"], marker=marker, color=colour, zorder=5, label=label
        )
    ax.axvspan(
        pd.Timestamp(HOLDOUT_START + "-01"),
        x.max(),
        color="#eeeeee",
        zorder=0,
        label="held out: forecast from events alone",
    )
    ymax = max(60.0, float(b["high"].max()) + 5)
    for m, lab in zip(MARKERS, MARKER_LABELS, strict=True):
        ax.axvline(pd.Timestamp(m + "-01"), color="#888888", lw=0.6, ls=":")
        ax.text(pd.Timestamp(m + "-01"), ymax - 2, lab, rotation=90, fontsize=7, va="top", ha="right", color="#555555")
    ax.set_ylim(0, ymax)
    ax.set_ylabel("% favourable")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower left", ncol=2)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def draw_travel(view: fit.FitView, path: Path) -> None:
    """Travel each way, median and 90% band, against the JNTO/KTO yearly totals 2012-2019."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), dpi=110, sharex=True)
    titles = {
        "kr_visitors_japan": "Korean visitors to Japan (JNTO)",
        "jp_visitors_korea": "Japanese visitors to Korea (KTO)",
    }
    styles = {"opening": ("D", "#777777"), "training": ("o", "#d62728"), "test": ("*", "#000000")}
    for ax, (variable, title) in zip(axes, titles.items(), strict=True):
        b = view.travel_bands[view.travel_bands["variable"] == variable]
        x = _dates(b["month"])
        ax.fill_between(x, b["low"], b["high"], color="#c7e9c0", alpha=0.7, label="model, 90% of runs")
        ax.plot(x, b["median"], color="#238b45", lw=1.8, label="model, median (annualised monthly rate)")
        pts = view.travel_points[view.travel_points["variable"] == variable]
        for role, grp in pts.groupby("role"):
            marker, colour = styles[role]
            ax.scatter(
                _dates(grp["month"]), grp["observed"], marker=marker, color=colour, s=60 if role == "test" else 30,
                zorder=5, label=f"yearly total: {role}",
            )
        ax.axvspan(pd.Timestamp(HOLDOUT_START + "-01"), x.max(), color="#eeeeee", zorder=0)
        ax.axvline(pd.Timestamp("2019-07-01"), color="#888888", ls=":", lw=0.8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("millions a year")
        ax.set_ylim(0, max(10.0, float(b["high"].max()) + 1))
    handles, labels = axes[0].get_legend_handles_labels()
    axes[1].legend(handles, labels, fontsize=7, loc="upper right")
    fig.suptitle(
        "Travel: calibrated on 2013-2018; 2019 (boycott) not fitted; grey: held out; "
        "the 2020-2022 border measures are scheduled inputs"
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def draw_posterior(path: Path) -> None:
    """Marginal posterior of each calibrated coefficient (weighted histogram) over its prior range."""
    from model.catalogue import load_catalogue, load_posterior

    post = load_posterior()
    cat = load_catalogue()
    samples, cum = post.arrays()
    weights = np.diff(np.concatenate([[0.0], cum]))
    n = len(post.ids)
    cols = 4
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.4 * rows), dpi=100, squeeze=False)
    for ax, (j, cid) in zip(axes.flat, enumerate(post.ids), strict=False):
        lo, hi = cat.coefficients[cid].range
        ax.hist(samples[:, j], bins=24, range=(lo, hi), weights=weights, color="#6baed6")
        ax.set_xlim(lo, hi)
        ax.set_title(cid, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("Posterior of the calibrated coefficients (x axis: the prior range)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def attribution(runs: int, seed: int) -> pd.DataFrame:
    """Ledger: what moved each public over the windows that matter (median over runs, posterior draws)."""
    from model.model import RelationsModel

    sc = cal.load_replay()
    model = RelationsModel(sc, runs=runs, seed=seed, ledger=True)
    model.run()
    windows = [
        ("2012-01", "2012-07", "jp_favorable_korea"),
        ("2012-07", "2012-10", "jp_favorable_korea"),
        ("2012-01", "2013-04", "kr_favorable_japan"),
        ("2013-04", "2019-06", "kr_favorable_japan"),
        ("2019-06", "2019-12", "kr_favorable_japan"),
        ("2019-06", "2019-12", "people"),
        ("2012-01", "2018-12", "kr_visitors_japan"),
        ("2019-06", "2019-12", "kr_visitors_japan"),
        ("2020-01", "2022-09", "kr_visitors_japan"),
        ("2020-01", "2022-09", "kr_favorable_japan"),
    ]
    rows = []
    for a, b, var in windows:
        contrib = model.ledger.contributions(var, sc.index_of(a) + 1, sc.index_of(b))
        med = {k: float(np.median(v)) for k, v in contrib.items()}
        top = sorted(med.items(), key=lambda kv: abs(kv[1]), reverse=True)[:5]
        total = float(np.median(sum(contrib.values()))) if contrib else 0.0
        rows.append(
            {
                "window": f"{a} to {b}",
                "variable": var,
                "change": round(total, 1),
                "largest causes": "; ".join(f"{c} ({act}) {v:+.1f}" for (c, act), v in top),
            }
        )
    return pd.DataFrame(rows)


def _md(df: pd.DataFrame, floatfmt: str = "{:.2f}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def blocks(view: fit.FitView, doc: dict, attrib: pd.DataFrame, runs: int, seed: int) -> dict:
    """The generated blocks of VALIDATION.md."""
    err = view.errors.drop(columns=["label"]).rename(
        columns={"rmse": "RMSE", "bias": "bias", "mae": "MAE", "coverage": "in 90% band"}
    )
    pts = view.points[["series", "year", "month", "observed", "median", "low", "high", "inside"]]
    travel = view.travel_points[["series", "year", "role", "observed", "median", "low", "high", "inside"]]
    sig = view.signatures[["key", "observed", "simulated", "share", "holds", "scripted"]]
    coefs = pd.DataFrame(
        [
            {
                "coefficient": cid,
                "posterior mean": c["mean"],
                "5% to 95%": f"{c['q05_q50_q95'][0]:.3g} to {c['q05_q50_q95'][2]:.3g}",
                "range (prior)": f"{c['range'][0]:g} to {c['range'][1]:g}",
                "default": c["prior"],
            }
            for cid, c in doc["coefficients"].items()
        ]
    )
    summary_doc = yaml.safe_load((cal.CALIBRATED_FILE.parent / "posterior.yaml").read_text(encoding="utf-8"))
    pairs = []
    seen = set()
    for a_id, row in summary_doc["correlations"].items():
        for b_id, r in row.items():
            if (b_id, a_id) not in seen:
                seen.add((a_id, b_id))
                pairs.append({"pair": f"{a_id} / {b_id}", "correlation": r})
    corr = pd.DataFrame(pairs).sort_values("correlation", key=abs, ascending=False).head(8)
    prov = doc["provenance"]
    summary = (
        f"Ensemble: {runs} runs, seed {seed}, each run drawing the calibrated coefficients from the posterior of "
        f"{prov['date']} (`{prov['command']}`; {prov['evaluations']} simulations, {prov['seconds']} s; tolerance "
        f"{prov['tolerances'][0]:g} -> {prov['tolerances'][-1]:g} points; data sha256 {prov['data_sha256']}). "
        f"Forecast noise for a poll: {summary_doc['noise']['polls']} points (one sd, measured on the training "
        f"polls)."
    )
    return {
        "summary": summary,
        "errors": _md(err),
        "points": _md(pts, "{:.1f}"),
        "travel": _md(travel, "{:.2f}"),
        "signatures": _md(sig),
        "coefficients": _md(coefs, "{:.3g}"),
        "correlations": _md(corr, "{:.2f}"),
        "attribution": _md(attrib, "{:.1f}"),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the replay, draw the charts, refresh the doc."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    FIG.mkdir(parents=True, exist_ok=True)
    table = cal.run_replay(runs=args.runs, seed=args.seed)
    view = fit.fit_view(table, seed=args.seed)
    doc = yaml.safe_load(cal.CALIBRATED_FILE.read_text(encoding="utf-8"))
    draw_public(view, "kr_favorable_japan", "Koreans with a good impression of Japan", FIG / "kr_favorable_japan.png")
    draw_public(
        view,
        "jp_favorable_korea",
        "Japanese with a good impression of / affinity toward Korea",
        FIG / "jp_favorable_korea.png",
    )
    draw_travel(view, FIG / "travel.png")
    draw_posterior(FIG / "posterior.png")
    attrib = attribution(min(args.runs, 100), args.seed)
    gen = blocks(view, doc, attrib, args.runs, args.seed)
    from model.analysis import backtest, backtest_report

    found = backtest.load_results()
    if found is not None:
        scores, provenance = found
        backtest_report.draw_chart(scores)
        gen |= backtest_report.blocks(scores, provenance)
    try:
        backtest_report.refresh_doc(gen)
    except ValueError as exc:  # a block missing from VALIDATION.md: one line, not a traceback
        raise SystemExit(str(exc)) from None
    print(view.errors.to_string())
    print(view.signatures[["key", "simulated", "share", "holds"]].to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())

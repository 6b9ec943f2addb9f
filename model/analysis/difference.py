"""What a what-if changed, and why: paired runs, their difference, and the causes of the gap.

A what-if is read against a reference (the scenario it builds on, the scenario as written
before a user's edits, or a game's own turns against the model's rules). Both are run through
:func:`model.ensemble.run_ensemble` with the same root seed: run ``i`` of each draws from the
stream keyed by ``(seed, i)`` (and any per-run draw of the model's coefficients is keyed the
same way), so wherever the two agree they draw the same North Korean launches, rulings and
choices. These are common random numbers: the run-by-run difference is the effect of what
differs, not luck, and before the what-if's first change it is exactly zero.

Why the gap opened comes from the two effects ledgers. Every change of state is recorded with
its cause and actor, and a variable's recorded changes add up to its movement, so the gap at a
month is the starting gap plus, for each (cause, actor), the what-if's total minus the
reference's. The waterfall lists the what-if's own events and decisions first, then the
largest other differences, each named with its actor.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from model.catalogue import Catalogue, load_catalogue
from model.ensemble import EnsembleResult, Progress, run_ensemble
from model.i18n import DEFAULT_LANGUAGE, DEFAULT_PLACES, has, month_text, tr
from model.scenario import Scenario
from model.state import OUTPUT_VARIABLES

QUANTILES = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}
NEGLIGIBLE = 0.05
"""Points below which a median difference reads as "little change" (ledger rounding is far smaller)."""

OTHER, START, NET = "_other", "_start", "_net"
"""Cause ids of the waterfall's summary rows: the rest, the starting gap, the total."""


@dataclass(frozen=True)
class ScheduledItem:
    """An event or decision a scenario fixes in its calendar.

    Attributes:
        kind: ``"event"`` or ``"decision"``.
        type: Catalogue id.
        actor: Who acts (the catalogue's actor of the event or decision).
        month: ``YYYY-MM``.
    """

    kind: Literal["event", "decision"]
    type: str
    actor: str
    month: str


def scheduled_items(scenario: Scenario, catalogue: Catalogue | None = None) -> list[ScheduledItem]:
    """The scenario's scheduled events and scripted decisions, by month."""
    cat = catalogue or load_catalogue()
    items = [ScheduledItem("event", e.type, cat.events[e.type].actor, e.month) for e in scenario.events]
    items += [ScheduledItem("decision", d.type, d.actor, d.month) for d in scenario.decisions]
    return sorted(items, key=lambda i: (i.month, i.kind, i.type))


def own_items(reference: Scenario, whatif: Scenario) -> tuple[list[ScheduledItem], list[ScheduledItem]]:
    """What the what-if schedules that the reference does not, and what it leaves out.

    Returns:
        ``(added, removed)``: items in the what-if and not in the reference (counted, so a
        second summit in the same month counts), and items of the reference it dropped.
    """
    mine, theirs = Counter(scheduled_items(whatif)), Counter(scheduled_items(reference))
    added = sorted((mine - theirs).elements(), key=lambda i: (i.month, i.type))
    removed = sorted((theirs - mine).elements(), key=lambda i: (i.month, i.type))
    return added, removed


def changed_assumptions(reference: Scenario, whatif: Scenario) -> list[str]:
    """Dotted paths of the settings the what-if changes (coefficients, starting levels, leaders)."""
    out = []
    for name in sorted(set(reference.parameters) | set(whatif.parameters)):
        if reference.parameters.get(name) != whatif.parameters.get(name):
            out.append(f"parameters.{name}")
    for name in sorted(set(reference.initial) | set(whatif.initial)):
        if reference.initial.get(name) != whatif.initial.get(name):
            out.append(f"initial.{name}")
    for actor in ("seoul", "tokyo", "washington"):
        a, b = getattr(reference.actors, actor), getattr(whatif.actors, actor)
        for field_name in type(a).model_fields:
            if field_name != "leader" and getattr(a, field_name) != getattr(b, field_name):
                out.append(f"actors.{actor}.{field_name}")
    return out


@dataclass
class Paired:
    """A reference and a what-if run with the same seed, run for run.

    Attributes:
        reference: The reference ensemble.
        whatif: The what-if's ensemble (same runs, same seed).
        added: Items the what-if schedules and the reference does not.
        removed: Items of the reference the what-if leaves out.
    """

    reference: EnsembleResult
    whatif: EnsembleResult
    added: list[ScheduledItem]
    removed: list[ScheduledItem]

    @property
    def months(self) -> list[str]:
        """The months both cover (the what-if's calendar)."""
        return self.whatif.months

    def difference(self, variable: str) -> np.ndarray:
        """What-if minus reference, run by run: shape (months, runs)."""
        return self.whatif.series(variable) - self.reference.series(variable)

    def quantiles(self, variables: Sequence[str] = ("relationship_index",)) -> pd.DataFrame:
        """Median and bands of the run-by-run difference, per month and variable."""
        return difference_quantiles(self.reference.values, self.whatif.values, self.months, variables)

    def summary(self, variable: str, month: str | None = None) -> DifferenceSummary:
        """The difference at a month (default the last) in numbers."""
        return summarise(self.difference(variable), self.months, variable, month)

    def waterfall(self, variable: str, month: str | None = None, **kwargs: object) -> pd.DataFrame:
        """Causes of the gap at a month (needs both ensembles run with ``ledger=True``)."""
        month = month or self.months[-1]
        gap = float(np.mean(self.difference(variable)[self.months.index(month)]))
        return difference_waterfall(
            self.reference.ledger_frame(), self.whatif.ledger_frame(), variable, month, gap,
            self.added, self.removed, **kwargs,  # type: ignore[arg-type]
        )


def run_paired(
    reference: Scenario,
    whatif: Scenario,
    runs: int = 200,
    seed: int = 0,
    *,
    ledger: bool = True,
    progress: Progress | None = None,
    **options: object,
) -> Paired:
    """Run a reference and a what-if with the same runs and seed (common random numbers).

    Args:
        reference: What the what-if is read against.
        whatif: The what-if; it must cover the same months.
        runs: Runs of each.
        seed: Root seed of both.
        ledger: Keep both effects ledgers (for the waterfall).
        progress: Called with (runs done, runs in all) over both ensembles.
        **options: Passed to :func:`run_ensemble` for both (backend, chunk_size...).

    Raises:
        ValueError: if the two scenarios do not cover the same months.
    """
    if reference.months != whatif.months:
        raise ValueError(
            f"a paired difference needs the same months: {reference.start}..{reference.end} "
            f"against {whatif.start}..{whatif.end}"
        )

    def part(offset: int) -> Progress | None:
        return None if progress is None else (lambda done, _total: progress(offset + done, 2 * runs))

    ra = run_ensemble(reference, runs, seed, ledger=ledger, progress=part(0), **options)  # type: ignore[arg-type]
    rb = run_ensemble(whatif, runs, seed, ledger=ledger, progress=part(runs), **options)  # type: ignore[arg-type]
    added, removed = own_items(reference, whatif)
    return Paired(ra, rb, added, removed)


def difference_quantiles(
    reference: np.ndarray, whatif: np.ndarray, months: Sequence[str], variables: Iterable[str]
) -> pd.DataFrame:
    """Quantiles over runs of the run-by-run difference (what-if minus reference).

    Args:
        reference: Values (months, variables, runs) of the reference.
        whatif: Values of the what-if, same shape, same seed.
        months: Labels of the first axis.
        variables: Which output variables.

    Returns:
        Columns ``month, variable, q05, q25, median, q75, q95, runs``.
    """
    if reference.shape != whatif.shape:
        raise ValueError(f"paired ensembles must have the same shape, not {reference.shape} and {whatif.shape}")
    frames = []
    for variable in variables:
        i = OUTPUT_VARIABLES.index(variable)
        diff = whatif[:, i, :].astype(np.float64) - reference[:, i, :].astype(np.float64)
        qs = np.quantile(diff, list(QUANTILES.values()), axis=1)
        frame = pd.DataFrame({"month": list(months), "variable": variable})
        for j, name in enumerate(QUANTILES):
            frame[name] = qs[j]
        frame["runs"] = diff.shape[1]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class DifferenceSummary:
    """The run-by-run difference of one variable at one month, in numbers.

    Attributes:
        variable: Output variable.
        month: ``YYYY-MM``.
        median: Median difference (points).
        mean: Mean difference (the sum of the waterfall's bars).
        low: 5% quantile: in 9 runs out of 10 the difference lies between ``low`` and ``high``.
        high: 95% quantile.
        share_lower: Share of runs in which the what-if leaves the variable lower.
        share_higher: Share in which it leaves it higher.
        runs: Number of paired runs.
    """

    variable: str
    month: str
    median: float
    mean: float
    low: float
    high: float
    share_lower: float
    share_higher: float
    runs: int


def summarise(diff: np.ndarray, months: Sequence[str], variable: str, month: str | None = None) -> DifferenceSummary:
    """The difference (months, runs) at ``month`` (default the last) as a :class:`DifferenceSummary`."""
    month = month or months[-1]
    row = np.asarray(diff[list(months).index(month)], dtype=np.float64)
    low, median, high = np.quantile(row, [0.05, 0.5, 0.95])
    return DifferenceSummary(
        variable=variable,
        month=month,
        median=float(median),
        mean=float(row.mean()),
        low=float(low),
        high=float(high),
        share_lower=float((row < -1e-9).mean()),
        share_higher=float((row > 1e-9).mean()),
        runs=int(row.size),
    )


def item_label(item: ScheduledItem, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES) -> str:
    """An item as a reader names it: "Join a trilateral exercise (Seoul, 2026-04)"."""
    cat = load_catalogue()
    kind = "event" if item.kind == "event" else "decision"
    name = cat.label(kind, item.type, lang, places)
    if has(f"actor.{item.actor}", lang):
        actor = tr(f"actor.{item.actor}", lang, places)
        return tr("difference.item", lang, places, name=name, actor=actor, month=month_text(item.month, lang))
    return tr("difference.item_no_actor", lang, places, name=name, month=month_text(item.month, lang))


def subject(
    added: Sequence[ScheduledItem],
    removed: Sequence[ScheduledItem] = (),
    assumptions: int = 0,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
) -> str:
    """What the summary sentence says made the difference: the what-if's one item, or how many.

    Args:
        added: The what-if's own items.
        removed: Items of the reference it leaves out.
        assumptions: How many settings (coefficients, starting levels, leaders) it changes.
        lang: Language.
        places: Place-name setting.
    """
    items = list(added) + list(removed)
    if len(items) == 1:
        item = item_label(items[0], lang, places)
        if assumptions:
            return tr("difference.subject_one_assumptions", lang, places, item=item, assumptions=assumptions)
        key = "difference.subject_one" if added else "difference.subject_without"
        return tr(key, lang, places, item=item)
    if items:
        if assumptions:
            return tr("difference.subject_many_assumptions", lang, places, count=len(items), assumptions=assumptions)
        return tr("difference.subject_many", lang, places, count=len(items))
    if assumptions:
        return tr("difference.subject_assumptions", lang, places, assumptions=assumptions)
    return tr("difference.subject_nothing", lang, places)


def summary_sentence(
    summary: DifferenceSummary, who: str, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES
) -> str:
    """One sentence a student can read: size, direction and the range of nine runs in ten.

    E.g. "By 2030-12, the share of Japanese favourable to Korea is about 2.7 points lower with
    “Order to liquidate seized assets (Korean courts, 2027-03)”; in 9 runs out of 10 the
    change lies between -6.3 and +0.6 points." ``who`` comes from :func:`subject`.
    """
    target_key = f"charts.in_sentence.{summary.variable}"
    target = tr(target_key, lang, places) if has(target_key, lang) else tr(f"variable.{summary.variable}", lang, places)
    if abs(summary.median) < NEGLIGIBLE:
        verb_key = "difference.sentence_same"
    else:
        verb_key = "difference.sentence_lower" if summary.median < 0 else "difference.sentence_higher"
    month = month_text(summary.month, lang)
    head = tr(verb_key, lang, places, month=month, who=who, variable=target, points=abs(summary.median))
    band = tr("difference.sentence_band", lang, places, low=summary.low, high=summary.high)
    text = tr("difference.sentence", lang, places, head=head, band=band)
    return text[:1].upper() + text[1:]


def cause_name(
    cause: str,
    actor: str,
    lang: str = DEFAULT_LANGUAGE,
    places: str = DEFAULT_PLACES,
    catalogue: Catalogue | None = None,
) -> str:
    """A ledger cause in words, with its actor: "Join a trilateral exercise (Seoul)".

    Events and decisions take their catalogue label; the model's mechanisms (the pull toward
    a long-run level, an institution's pull on a track, a public's memory) their plain-words
    name from ``cause.*``. The actor is added unless it is the model itself, so Seoul's and
    Tokyo's decisions of the same name never read alike.
    """
    cat = catalogue or load_catalogue()
    if cause in cat.events:
        name = cat.label("event", cause, lang, places)
    elif cause in cat.decisions:
        name = cat.label("decision", cause, lang, places)
    elif has(f"cause.{cause}", lang):
        name = tr(f"cause.{cause}", lang, places)
    elif has(f"variable.{cause}", lang):
        name = tr("cause.state_of", lang, places, name=tr(f"variable.{cause}", lang, places))
    else:
        name = cause
    name = name[:1].upper() + name[1:]
    if actor and actor != "model" and has(f"actor.{actor}", lang):
        name = tr("charts.by_actor", lang, places, cause=name, actor=tr(f"actor.{actor}", lang, places))
    return name


def difference_waterfall(
    reference: pd.DataFrame,
    whatif: pd.DataFrame,
    variable: str,
    month: str,
    gap: float,
    added: Sequence[ScheduledItem] = (),
    removed: Sequence[ScheduledItem] = (),
    *,
    top: int = 6,
    most: int = 12,
    rest_share: float = 0.25,
) -> pd.DataFrame:
    """The causes of the mean gap at ``month``, from the two ledgers, own items first.

    Args:
        reference: The reference's ledger frame (``t``, ``month``, ``cause``, ``actor``,
            ``variable``, ``delta`` as a mean over runs), as ``EnsembleResult.ledger_frame``.
        whatif: The what-if's ledger frame (same runs and seed).
        variable: Whose gap is explained.
        month: The month at whose end the gap is read.
        gap: The mean run-by-run difference at that month; what the ledgers do not explain
            is the gap the two started with (different starting levels).
        added: The what-if's own items: their causes come first, in calendar order.
        removed: Items of the reference the what-if leaves out: next, likewise.
        top: Other causes shown one by one at least.
        most: Other causes shown one by one at most.
        rest_share: More causes are shown (up to ``most``) while the rest, summed, is larger
            than this share of the largest bar, so "other causes" never dominates.

    Returns:
        One row per bar: ``cause``, ``actor``, ``delta`` (points), ``own`` (one of the
        what-if's items), ``start`` and ``end`` (the bar's span); the last row is the
        net change (cause ``_net``), and ``_other`` and ``_start`` rows appear when needed.
    """
    def totals(frame: pd.DataFrame) -> pd.Series:
        sub = frame[(frame["variable"] == variable) & (frame["month"] <= month)]
        return sub.groupby(["cause", "actor"])["delta"].sum()

    diff = totals(whatif).sub(totals(reference), fill_value=0.0)
    diff = diff[diff.abs() > 1e-9]
    first: list[tuple[str, str]] = []
    for item in [*added, *removed]:
        key = (item.type, item.actor)
        if key not in first and item.month <= month:
            first.append(key)
    rows = [(c, a, float(diff.get((c, a), 0.0)), True) for c, a in first]
    others = diff.drop(index=[k for k in first if k in diff.index])
    others = others.reindex(others.abs().sort_values(ascending=False).index)
    shown = top
    while shown < min(most, len(others)):
        largest = max([abs(r[2]) for r in rows] + [abs(float(others.iloc[0]))])
        if abs(float(others.iloc[shown:].sum())) <= rest_share * largest:
            break
        shown += 1
    rows += [(c, a, float(d), False) for (c, a), d in others.iloc[:shown].items()]
    rest = float(others.iloc[shown:].sum())
    if len(others) > shown and abs(rest) > 1e-9:
        rows.append((OTHER, "", rest, False))
    explained = sum(r[2] for r in rows)
    start = gap - explained
    if abs(start) > 1e-6:
        rows.append((START, "", start, False))
    out = pd.DataFrame(rows, columns=["cause", "actor", "delta", "own"])
    out["end"] = out["delta"].cumsum()
    out["start"] = out["end"] - out["delta"]
    net = pd.DataFrame([{"cause": NET, "actor": "", "delta": gap, "own": False, "start": 0.0, "end": gap}])
    return pd.concat([out, net], ignore_index=True) if not out.empty else net


def label_waterfall(
    waterfall: pd.DataFrame, lang: str = DEFAULT_LANGUAGE, places: str = DEFAULT_PLACES
) -> list[str]:
    """A reader's name for each bar of :func:`difference_waterfall`."""
    cat = load_catalogue()
    special = {
        OTHER: tr("charts.other_causes", lang, places),
        START: tr("difference.start_gap", lang, places),
        NET: tr("difference.net_gap", lang, places),
    }
    pairs = zip(waterfall["cause"], waterfall["actor"], strict=True)
    return [special.get(c) or cause_name(c, a, lang, places, cat) for c, a in pairs]



# ----- a classroom game against the model's own rules -----------------------------------------


@dataclass
class GameDifference:
    """A game's teams against the model's rules from one turn on, paired run by run.

    Both arms replay the game's log with ``runs`` runs from the game's seed (run 0 of the
    teams' arm is the game the class played): the same turns, the same instructor's events,
    and the teams' decisions up to ``turn``; from ``turn`` on the teams' arm keeps their
    decisions and the other arm lets every seat's rule choose, as a fork of the game at that
    turn would.

    Attributes:
        months: The months played.
        teams: Values (months, variables, runs) with the teams' decisions.
        rules: Values with the rules choosing from ``turn`` on.
        teams_ledger: Ledger frame of the teams' arm.
        rules_ledger: Ledger frame of the rules' arm.
        added: The teams' decisions from ``turn`` on, as items (first month of their turn).
        turn: The first turn whose decisions differ (0-based).
    """

    months: list[str]
    teams: np.ndarray
    rules: np.ndarray
    teams_ledger: pd.DataFrame
    rules_ledger: pd.DataFrame
    added: list[ScheduledItem]
    turn: int

    def difference(self, variable: str) -> np.ndarray:
        """Teams minus rules, run by run: shape (months, runs)."""
        i = OUTPUT_VARIABLES.index(variable)
        return self.teams[:, i, :].astype(np.float64) - self.rules[:, i, :].astype(np.float64)

    def quantiles(self, variables: Sequence[str]) -> pd.DataFrame:
        """Median and bands of the difference per month."""
        return difference_quantiles(self.rules, self.teams, self.months, variables)

    def summary(self, variable: str, month: str | None = None) -> DifferenceSummary:
        """The difference at a month (default the last played)."""
        return summarise(self.difference(variable), self.months, variable, month)

    def waterfall(self, variable: str, month: str | None = None) -> pd.DataFrame:
        """Causes of the gap, the teams' decisions first."""
        month = month or self.months[-1]
        gap = float(np.mean(self.difference(variable)[self.months.index(month)]))
        return difference_waterfall(self.rules_ledger, self.teams_ledger, variable, month, gap, self.added)


def game_difference(record: object, resolved: Sequence[object], turn: int, runs: int = 100) -> GameDifference:
    """What the teams' decisions from ``turn`` on changed, against the model's rules.

    Args:
        record: The game (``model.game.store.GameRecord``).
        resolved: Its resolved turns.
        turn: The turn from which the rules replace the teams (0 = the whole game).
        runs: Runs of each arm.

    Raises:
        ValueError: ``turn`` outside the turns played, or no turn played yet.
    """
    from dataclasses import replace

    from model.game.world import World, game_scenario
    from model.model import RelationsModel

    resolved = list(resolved)
    if not resolved or not 0 <= turn < len(resolved):
        raise ValueError(f"turn {turn} is not among the {len(resolved)} turns played")
    scenario = game_scenario(record)
    turn_months = int(record.config["turn_months"])  # type: ignore[attr-defined]

    def replay(rules_from: int | None) -> RelationsModel:
        model = RelationsModel(scenario, runs=runs, seed=record.seed)  # type: ignore[attr-defined]
        world = World(model, turn_months, model.state.snapshot()[:, 0].copy())
        for step in resolved:
            if rules_from is not None and step.turn >= rules_from:  # type: ignore[attr-defined]
                step = replace(step, human={})
            world.apply(step)  # type: ignore[arg-type]
        return model

    teams, rules = replay(None), replay(turn)
    months = list(teams.months[: teams.values().shape[0]])
    cat = load_catalogue()
    added = [
        ScheduledItem("decision", did, seat, scenario.months[step.turn * turn_months])  # type: ignore[attr-defined]
        for step in resolved
        if step.turn >= turn  # type: ignore[attr-defined]
        for seat, body in step.human.items()  # type: ignore[attr-defined]
        for did in body.get("decisions", ())
        if did in cat.decisions
    ]
    return GameDifference(
        months=months,
        teams=teams.values(),
        rules=rules.values(),
        teams_ledger=teams.ledger.frame(months),
        rules_ledger=rules.ledger.frame(months),
        added=added,
        turn=turn,
    )

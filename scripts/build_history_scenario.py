"""Build scenarios/history-2012-2025.yaml from the real events and North Korea's launches.

Why a script: the replay is derived data. Anyone can check how each row of
``model/data/events.csv`` and each missile of ``nk_missile_launches_2012_2025.csv`` became a
scheduled event or a scripted decision, and rebuild the file after the data change:

    .venv/bin/python scripts/build_history_scenario.py            # writes the scenario
    .venv/bin/python scripts/build_history_scenario.py --check    # exit 1 if the file is stale

What is scripted and what is not:
- Scheduled (the real events): North Korea's launches by month and type (ballistic, ICBM,
  over Japan, satellite) from the CNS database; nuclear tests; court rulings; the Dokdo/Takeshima visit,
  the Yasukuni visit, the radar incident; leader changes with each leader's camp and stance.
- Scripted (the governments' real decisions): summits, the 2015 agreement and the foundation,
  GSOMIA signed / notice / restored, export controls, white lists, countermeasures, the 2023
  third-party compensation, Camp David.
- Scheduled too (inputs, not quarrels): the pandemic's border measures of 2020-2022 from
  ``border_measures_2020_2022.csv`` (visa waivers suspended and restored, Japan's closure,
  package tours), which hold travel back without touching opinion.
- Switched off: the governments' decision rules and every stochastic exogenous process
  (Pyongyang, courts, the world's random shocks): the real ones are scheduled instead.
- Left to the model: both publics. Nothing on their side is scripted; their opinion, the
  boycott and the people-to-people track respond through the model's own mechanisms.

Every row of events.csv must be mapped or skipped with a reason below, so a new row in the
data cannot be silently ignored.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "model" / "data"
OUT = ROOT / "scenarios" / "history-2012-2025.yaml"
START, END = "2012-01", "2025-12"


@dataclass(frozen=True)
class Item:
    """One scheduled event or scripted decision derived from a data row."""

    kind: str  # "event" or "decision"
    type: str
    actor: str | None = None  # decisions: the seat
    params: tuple[tuple[str, object], ...] = ()


def ev(type_: str, **params: object) -> Item:
    """A scheduled event."""
    return Item("event", type_, params=tuple(params.items()))


def dec(actor: str, type_: str) -> Item:
    """A scripted decision of a government."""
    return Item("decision", type_, actor=actor)


def leader(actor: str, name: str, camp: str | None, stance: str) -> Item:
    """A leader change with the new leader's profile (camp is None for Washington)."""
    params: dict[str, object] = {"actor": actor, "leader": name, "stance": stance}
    if camp is not None:
        params["camp"] = camp
    return ev("leader_change", **params)


# Leaders in office in January 2012 (the scenario's starting profiles).
INITIAL_ACTORS = {
    "seoul": {"leader": "Lee Myung-bak", "camp": "conservative", "stance": "moderate"},
    "tokyo": {"leader": "Noda Yoshihiko", "camp": "liberal", "stance": "moderate"},
    "washington": {"leader": "Barack Obama", "stance": "alliance_builder"},
}

# events.csv rows -> items, keyed by (date, type). Profiles: camp is the party family; stance
# toward Japan/Korea is "hawkish" for leaders who made firmness on history a line of their own
# (assumption, from the record summarised in events.csv and the leaders' known positions).
MAPPED: dict[tuple[str, str], tuple[Item, ...]] = {
    ("2012-08-10", "territorial"): (ev("dokdo_visit"),),
    ("2012-08-14", "history"): (ev("emperor_remarks"),),
    ("2012-12-26", "leader_change"): (leader("tokyo", "Abe Shinzo", "conservative", "hawkish"),),
    ("2013-02-12", "nk_nuclear_test"): (ev("nuclear_test"),),
    ("2013-02-25", "leader_change"): (leader("seoul", "Park Geun-hye", "conservative", "hawkish"),),
    ("2013-12-26", "history"): (dec("tokyo", "tokyo_yasukuni_visit"),),
    ("2014-03-25", "trilateral_summit"): (dec("washington", "washington_host_trilateral"),),
    ("2015-08-14", "history"): (dec("tokyo", "tokyo_reaffirm_apologies"),),
    ("2015-11-02", "summit"): (ev("bilateral_summit"),),
    ("2015-12-28", "agreement"): (ev("comfort_women_agreement"),),
    ("2016-01-06", "nk_nuclear_test"): (ev("nuclear_test"),),
    ("2016-07-28", "history"): (dec("tokyo", "tokyo_fund_healing_foundation"),),
    ("2016-09-09", "nk_nuclear_test"): (ev("nuclear_test"),),
    ("2016-11-23", "security"): (dec("seoul", "seoul_restore_gsomia"),),
    ("2016-12-09", "domestic"): (ev("domestic_crisis_kr"),),
    ("2017-01-20", "leader_change"): (leader("washington", "Donald Trump", None, "transactional"),),
    ("2017-03-10", "domestic"): (leader("seoul", "Hwang Kyo-ahn (acting)", "conservative", "moderate"),),
    ("2017-05-10", "leader_change"): (leader("seoul", "Moon Jae-in", "progressive", "moderate"),),
    ("2017-09-03", "nk_nuclear_test"): (ev("nuclear_test"),),
    ("2017-12-27", "history"): (ev("agreement_repudiated"),),
    ("2018-04-27", "inter_korean"): (ev("inter_korean_thaw"),),
    ("2018-06-12", "us_nk"): (ev("inter_korean_thaw"),),
    ("2018-10-30", "court"): (ev("forced_labour_ruling"),),
    ("2018-11-21", "history"): (ev("agreement_repudiated"),),
    ("2018-11-29", "court"): (ev("forced_labour_ruling"),),
    ("2018-12-20", "military_incident"): (ev("military_incident"),),
    ("2019-01-08", "court"): (ev("asset_seizure"),),
    ("2019-07-01", "economic"): (dec("tokyo", "tokyo_impose_export_controls"),),
    ("2019-08-02", "economic"): (dec("tokyo", "tokyo_remove_whitelist"),),
    ("2019-08-22", "security"): (dec("seoul", "seoul_suspend_gsomia"),),
    ("2019-09-18", "economic"): (
        dec("seoul", "seoul_impose_countermeasures"),
        # the WTO complaint (filed Sept 2019) is implied by the 2019-11-22 row, which suspends it
        dec("seoul", "seoul_wto_complaint"),
    ),
    ("2019-11-22", "security"): (dec("seoul", "seoul_restore_gsomia"),),
    ("2019-12-24", "summit"): (ev("bilateral_summit"),),
    ("2020-09-16", "leader_change"): (leader("tokyo", "Suga Yoshihide", "conservative", "hawkish"),),
    ("2021-01-08", "court"): (ev("comfort_women_ruling"),),
    ("2021-01-20", "leader_change"): (leader("washington", "Joe Biden", None, "alliance_builder"),),
    ("2021-10-04", "leader_change"): (leader("tokyo", "Kishida Fumio", "conservative", "moderate"),),
    ("2022-05-10", "leader_change"): (leader("seoul", "Yoon Suk Yeol", "conservative", "moderate"),),
    ("2023-03-06", "policy"): (dec("seoul", "seoul_compensation_fund"),),
    ("2023-03-16", "summit"): (
        ev("bilateral_summit"),
        dec("tokyo", "tokyo_lift_export_controls"),
        dec("tokyo", "tokyo_shuttle_diplomacy"),
    ),
    ("2023-04-24", "economic"): (dec("seoul", "seoul_lift_countermeasures"),),
    ("2023-05-07", "summit"): (ev("bilateral_summit"),),
    ("2023-07-21", "economic"): (dec("tokyo", "tokyo_restore_whitelist"),),
    ("2023-08-18", "trilateral_summit"): (dec("washington", "washington_host_trilateral"),),
    ("2023-08-24", "history"): (ev("fukushima_water"),),
    ("2023-11-23", "court"): (ev("comfort_women_ruling"),),
    ("2024-07-27", "history"): (ev("unesco_compromise"),),
    ("2024-10-01", "leader_change"): (leader("tokyo", "Ishiba Shigeru", "conservative", "moderate"),),
    ("2024-12-03", "domestic"): (ev("domestic_crisis_kr"),),
    ("2025-01-20", "leader_change"): (leader("washington", "Donald Trump", None, "transactional"),),
    ("2025-04-04", "domestic"): (leader("seoul", "Han Duck-soo (acting)", "conservative", "moderate"),),
    ("2025-06-04", "leader_change"): (leader("seoul", "Lee Jae-myung", "progressive", "moderate"),),
    ("2025-06-17", "summit"): (ev("bilateral_summit"),),
    ("2025-08-23", "summit"): (ev("bilateral_summit"),),
    ("2025-09-30", "summit"): (ev("bilateral_summit"),),
    ("2025-10-21", "leader_change"): (leader("tokyo", "Takaichi Sanae", "conservative", "hawkish"),),
    ("2025-10-30", "summit"): (ev("bilateral_summit"),),
    ("2025-12-11", "court"): (ev("forced_labour_ruling"),),
}

# Rows deliberately not turned into items, with the reason.
SKIPPED: dict[tuple[str, str], str] = {
    ("2012-04-13", "nk_launch"): "launch: taken from the CNS missile file",
    ("2012-12-12", "nk_launch"): "launch: taken from the CNS missile file",
    ("2017-07-04", "nk_launch"): "launch: taken from the CNS missile file",
    ("2017-08-29", "nk_launch"): "launch: taken from the CNS missile file",
    ("2017-09-15", "nk_launch"): "launch: taken from the CNS missile file",
    ("2017-11-29", "nk_launch"): "launch: taken from the CNS missile file",
    ("2022-10-04", "nk_launch"): "launch: taken from the CNS missile file",
    ("2012-12-16", "election"): "the result enters as the leader change of 2012-12-26",
    ("2012-12-19", "election"): "the result enters as the leader change of 2013-02-25",
    ("2022-03-09", "election"): "the result enters as the leader change of 2022-05-10",
    ("2025-06-03", "election"): "the result enters as the leader change of 2025-06-04",
    ("2013-01-20", "leader_change"): "Obama's second term: no change of administration",
    ("2016-12-30", "history"): "Busan statue: no catalogue event for a civic-group irritant",
    ("2019-02-28", "us_nk"): "Hanoi summit without a deal: no catalogue event for it",
    ("2019-07-04", "economic"): "controls taking effect: the decision is scripted at 2019-07-01",
    ("2019-08-28", "economic"): "white-list removal taking effect: decision scripted 2019-08-02",
    ("2021-04-21", "court"): "a suit dismissed: no catalogue event for a ruling in Japan's favour",
    ("2023-03-21", "security"): "GSOMIA already restored by the 2019-11-22 decision",
    ("2023-06-27", "economic"): "white-list decision taking effect 2023-07-21 (scripted then)",
    ("2024-06-01", "security"): "radar-incident settlement: no catalogue event for it",
    ("2024-12-14", "domestic"): "impeachment: same crisis as the 2024-12-03 martial law",
}

# border_measures_2020_2022.csv rows (date, measure, who) -> the event that sets the stage of
# that country's entry measures (0 open .. 3 closed; see the catalogue's border events).
BORDER_EVENTS: dict[tuple[str, str, str], str | None] = {
    ("2020-03-09", "suspend_visa_waiver", "Tokyo"): "jp_border_visa_suspended",
    ("2020-03-09", "suspend_visa_waiver", "Seoul"): "kr_border_visa_suspended",
    ("2021-11-30", "close_border", "Tokyo"): "jp_border_closed",
    ("2022-06-10", "partial_reopening", "Tokyo"): "jp_border_tours",
    ("2022-08-04", "temporary_visa_waiver", "Seoul"): "kr_border_visa_waiver_temporary",
    ("2022-10-11", "restore_visa_waiver", "Tokyo"): "jp_border_visa_restored",
    # more flights once entry is open: capacity is not modelled as cut, so nothing to restore
    ("2022-10-30", "flights", "Both"): None,
    ("2022-11-01", "restore_visa_waiver", "Seoul"): "kr_border_visa_restored",
}


def border_items() -> list[dict]:
    """The border measures as scheduled events (every row mapped or deliberately skipped).

    Raises:
        ValueError: if a row of the file has no mapping, or a mapping names no row.
    """
    rows = read_csv("border_measures_2020_2022.csv")
    keys = {(r["date"], r["measure"], r["who"]) for r in rows}
    if keys != set(BORDER_EVENTS):
        raise ValueError(f"border measures not mapped: {sorted(keys ^ set(BORDER_EVENTS))}")
    out = []
    for r in rows:
        etype = BORDER_EVENTS[(r["date"], r["measure"], r["who"])]
        if etype is not None:
            note = f"border_measures_2020_2022.csv {r['date']}: {r['description']}"
            out.append({"month": r["date"][:7], "type": etype, "note": note})
    return out


# CNS missile types -> event types. An IRBM landing in the Pacific flew over Japan (2017-08,
# 2017-09, 2022-10, as events.csv confirms); SLVs are satellite launches.
BALLISTIC_TYPES = {"SRBM", "MRBM", "IRBM", "SLBM", "HGV", "Unknown"}


def launch_event(row: dict[str, str]) -> str:
    """The catalogue event of one missile row of the CNS file."""
    kind, landing = row["missile_type"], row["landing"]
    if kind == "SLV":
        return "satellite_launch"
    if kind == "ICBM":
        return "icbm_launch"
    if kind == "IRBM" and landing == "pacific-ocean":
        return "launch_over_japan"
    if kind in BALLISTIC_TYPES:
        return "ballistic_launch"
    raise ValueError(f"unknown missile type {kind!r} on {row['date_utc']}")


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a data file as dicts."""
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def launch_items() -> list[dict]:
    """Launch events by month: per month and type, one entry per launch day.

    The catalogue scales launches by launch days (CNS counts missiles, and a salvo of several
    short-range missiles on one day is one event in the press), so several missiles fired on
    one day count once. A ballistic launch carries the month's number of launch days as its
    ``count``; the rarer types (ICBM, over Japan, satellite) get one entry per launch day.
    Months are taken from the CNS file's UTC dates (a launch at dawn in Korea can fall on the
    previous UTC day, which moves none of the file's launches to another month in a way the
    monthly step can see, except a launch on the first of a month before 09:00 KST).
    """
    days: dict[tuple[str, str], set[str]] = {}
    missiles: Counter[tuple[str, str]] = Counter()
    for row in read_csv("nk_missile_launches_2012_2025.csv"):
        key = (row["date_utc"][:7], launch_event(row))
        days.setdefault(key, set()).add(row["date_utc"])
        missiles[key] += 1
    out = []
    for (month, etype), dates in sorted(days.items()):
        n_days, n_missiles = len(dates), missiles[(month, etype)]
        note = f"CNS missile database: {n_missiles} missile(s) on {n_days} day(s)"
        if etype == "ballistic_launch":
            out.append({"month": month, "type": etype, "params": {"count": n_days}, "note": note})
        else:
            out.extend({"month": month, "type": etype, "note": note} for _ in range(n_days))
    return out


def event_items() -> tuple[list[dict], list[dict]]:
    """Scheduled events and scripted decisions from events.csv.

    Raises:
        ValueError: if a row is neither mapped nor skipped, or a key names no row.
    """
    rows = read_csv("events.csv")
    keys = {(r["date"], r["type"]) for r in rows}
    unknown = (set(MAPPED) | set(SKIPPED)) - keys
    if unknown:
        raise ValueError(f"mapping names rows that are not in events.csv: {sorted(unknown)}")
    events, decisions = [], []
    for r in rows:
        key = (r["date"], r["type"])
        if key in SKIPPED:
            continue
        if key not in MAPPED:
            raise ValueError(f"events.csv row {key} is neither mapped nor skipped")
        month = r["date"][:7]
        note = f"events.csv {r['date']}: {r['description']}"
        for item in MAPPED[key]:
            if item.kind == "event":
                entry: dict = {"month": month, "type": item.type}
                if item.params:
                    entry["params"] = dict(item.params)
                entry["note"] = note
                events.append(entry)
            else:
                decisions.append({"month": month, "actor": item.actor, "type": item.type, "note": note})
    return events, decisions


def initial_state() -> dict[str, float]:
    """The state in January 2012.

    Publics: from the 2011 context polls (Gallup Korea 41; Cabinet Office affinity 62.2 moved
    to the Genron NPO scale by the wording offset of model.analysis.polls). Institutions: no
    GSOMIA (the June 2012 signing was called off), no controls, both on each other's white
    list, no foundation, no liquidation. Travel: the 2012 visitor totals (JNTO, KTO) as the
    opening rate, the first year the data set has. Other variables keep the model's defaults.
    """
    sys.path.insert(0, str(ROOT))
    from model.analysis.polls import VISITOR_SERIES, affinity_offset, context_values, visitors_by_year

    ctx = context_values()
    offset, _ = affinity_offset()
    return {
        "kr_favorable_japan": ctx["kr_favorable"].value,
        "jp_favorable_korea": round(ctx["jp_affinity"].value - offset, 1),
        "gsomia": 0,
        "jp_export_controls": 0,
        "kr_countermeasures": 0,
        "jp_whitelist_kr": 1,
        "kr_whitelist_jp": 1,
        "foundation": 0,
        "healing_foundation": 0,
        "liquidation_stage": 0,
        "shuttle_diplomacy": 0,
        "boycott": 0,
        "jp_border": 0,
        "kr_border": 0,
    } | {name: round(visitors_by_year(name)[2012], 3) for name in VISITOR_SERIES}


DESCRIPTION = (
    "The real events of 2012-2025 (model/data/events.csv), North Korea's launches (CNS "
    "database) and the pandemic's border measures of 2020-2022 are scheduled; the governments' "
    "real decisions are scripted and their decision rules are off; the random exogenous "
    "processes are off because the real ones are scheduled. The publics are not scripted: "
    "their opinion, the boycott and travel respond through the model's mechanisms. Polls up "
    "to 2019 calibrate the model; from 2020 the replay is a forecast from the events alone. "
    "Built by scripts/build_history_scenario.py; do not edit by hand."
)


def build() -> dict:
    """The scenario as a plain dict (validated by the core's schema before writing)."""
    events, decisions = event_items()
    events = sorted(events + launch_items() + border_items(), key=lambda e: e["month"])
    decisions = sorted(decisions, key=lambda d: d["month"])
    return {
        "id": "history-2012-2025",
        "title": "History 2012-2025: the replay",
        "question": (
            "Given only what happened (events and the governments' decisions), does the model "
            "reproduce how the Korean and Japanese publics saw each other?"
        ),
        "description": DESCRIPTION,
        "start": START,
        "end": END,
        "initial": initial_state(),
        "actors": INITIAL_ACTORS,
        "processes": {
            "pyongyang": False,
            "courts": False,
            "world": False,
            "rules": False,
            "calendar": True,
            "mobilisation": True,
        },
        "events": events,
        "decisions": decisions,
    }


def render() -> str:
    """The scenario file's text, validated by the core's schema."""
    sys.path.insert(0, str(ROOT))
    from model.scenario import Scenario, parse_scenario

    sc = Scenario.model_validate(build())
    text = sc.to_yaml()
    header = (
        "# Generated by scripts/build_history_scenario.py from model/data/events.csv,\n"
        "# model/data/nk_missile_launches_2012_2025.csv and model/data/border_measures_2020_2022.csv.\n"
        "# Do not edit by hand: rerun the script.\n"
    )
    parse_scenario(text, filename=str(OUT))  # raises ScenarioError on any problem
    return header + text


def main(argv: list[str] | None = None) -> int:
    """Write the scenario, or with --check report whether the committed file is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: rerun scripts/build_history_scenario.py")
            return 1
        print(f"{args.out} is current")
        return 0
    args.out.write_text(text, encoding="utf-8")
    sc = build()
    print(f"wrote {args.out}: {len(sc['events'])} events, {len(sc['decisions'])} decisions")
    return 0


if __name__ == "__main__":
    sys.exit(main())

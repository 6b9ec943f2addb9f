"""A game as plain data: its status and its whole log, each submission with its fate.

``rapprochement game show`` prints this; the instructor page shows the same log.
"""

from __future__ import annotations

from typing import Any

from model.game.replay import read_log
from model.game.store import GameStore


def show_game(store: GameStore, game_id: str) -> dict[str, Any]:
    """A game's state and log as plain data (what ``game show`` prints).

    Each log entry carries ``seq``, ``turn``, ``kind``, ``seat`` (the actor: a seat or
    ``instructor``), ``time`` and its details; a submission names its ``decisions`` and says
    what became of it (``fate``: counted, replaced, late, rewound or pending).
    """
    record = store.game(game_id)
    log = store.entries(game_id)
    tl = read_log(log, int(record.config["turns"]))
    entries = []
    for e in log:
        row: dict[str, Any] = {
            "seq": e.seq,
            "turn": e.turn,
            "kind": e.kind,
            "seat": e.seat,
            "time": e.time.isoformat(),
        }
        row |= {k: v for k, v in e.payload.items() if k not in row}
        if e.kind == "submission":
            row["fate"] = tl.fates.get(e.seq, "late")
        entries.append(row)
    return {
        "game": record.id,
        "scenario": record.config.get("scenario_name", ""),
        "seed": record.seed,
        "status": tl.status,
        "turn": tl.turn,
        "turns": int(record.config["turns"]),
        "turn_months": int(record.config["turn_months"]),
        "branch": tl.branch,
        "seats": record.config["seats"],
        "joined": sorted(tl.joined),
        "log": entries,
    }

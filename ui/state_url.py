"""The Explore page's state as URL query parameters, and back, checking every value.

Why: a link must reproduce exactly the same page (scenario, edits, runs, seed, window), and a
link is input from anyone: it may be truncated or tampered with. Decoding therefore never
raises; it returns the usable part of the state and a list of problems for the page to show,
so a bad parameter costs the reader that parameter only.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ui.explore_logic import (
    DEFAULT_RUNS,
    DEFAULT_SEED,
    VIEWS,
    Edits,
    InputError,
    check_month,
    check_runs,
    check_seed,
)

MAX_PARAM_CHARS = 8_000
"""Longest parameter value read from a link (browsers and proxies cut URLs near 8 kB)."""

KNOWN_PARAMS = ("scenario", "edits", "runs", "seed", "from", "to", "compare", "view")


@dataclass(frozen=True)
class PageState:
    """Everything that decides what the Explore page shows.

    Attributes:
        scenario: Id of a shipped scenario (file name without ``.yaml``).
        edits: The user's edits to it.
        runs: Number of runs.
        seed: Root seed.
        window: First and last month of the "why" window, or ``None`` for the default.
        compare: Id of a second shipped scenario to compare with, ``"edited"`` to compare the
            scenario with its edited copy, or ``None``.
        view: The Explore page's open view (``"difference"``, ``"index"``, ``"why"``...), or
            ``None`` for the page's default.
    """

    scenario: str
    edits: Edits = field(default_factory=Edits)
    runs: int = DEFAULT_RUNS
    seed: int = DEFAULT_SEED
    window: tuple[str, str] | None = None
    compare: str | None = None
    view: str | None = None


def encode_edits(edits: Edits) -> str:
    """Edits as URL-safe text (base64 of compact JSON, without padding)."""
    raw = edits.to_json().encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_edits(text: str) -> Edits:
    """Edits from :func:`encode_edits`.

    Raises:
        InputError: if the text is not edits (truncated, tampered, or too long).
    """
    if len(text) > MAX_PARAM_CHARS:
        raise InputError("explore.error_link_edits")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        return Edits.from_json(raw.decode("utf-8"))
    except (binascii.Error, ValueError) as err:
        if isinstance(err, InputError) and err.key != "explore.error_edits_format":
            raise
        raise InputError("explore.error_link_edits") from err


def to_params(state: PageState) -> dict[str, str]:
    """Query parameters for a state; defaults are left out to keep links short."""
    params = {"scenario": state.scenario, "runs": str(state.runs), "seed": str(state.seed)}
    if state.edits:
        params["edits"] = encode_edits(state.edits)
    if state.window:
        params["from"], params["to"] = state.window
    if state.compare:
        params["compare"] = state.compare
    if state.view:
        params["view"] = state.view
    return params


def _one(params: Mapping[str, Any], name: str) -> str | None:
    """A parameter's single value (the last one when a link repeats it)."""
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    if value is None:
        return None
    value = str(value)
    if len(value) > MAX_PARAM_CHARS:
        raise InputError("explore.error_link_param", name=name)
    return value


def from_params(
    params: Mapping[str, Any], scenario_ids: Iterable[str], default_scenario: str
) -> tuple[PageState, list[InputError]]:
    """Read a page state from query parameters, keeping what is valid.

    Args:
        params: The query parameters (``st.query_params`` or a plain dict).
        scenario_ids: Ids of the shipped scenarios a link may name.
        default_scenario: Scenario shown when the link names none (or an unknown one).

    Returns:
        The state, and one :class:`InputError` per parameter that was refused (the state then
        holds the default for it).
    """
    known = set(scenario_ids)
    state = PageState(scenario=default_scenario)
    problems: list[InputError] = []

    def attempt(name: str, read: Any) -> None:
        nonlocal state
        try:
            raw = _one(params, name)
            if raw is not None:
                state = read(state, raw)
        except InputError as err:
            problems.append(err)

    def read_scenario(s: PageState, raw: str) -> PageState:
        if raw not in known:
            raise InputError("explore.error_link_scenario", scenario=raw[:60])
        return replace(s, scenario=raw)

    def read_compare(s: PageState, raw: str) -> PageState:
        if raw != "edited" and raw not in known:
            raise InputError("explore.error_link_scenario", scenario=raw[:60])
        return replace(s, compare=raw)

    attempt("scenario", read_scenario)
    attempt("runs", lambda s, raw: replace(s, runs=check_runs(raw)))
    attempt("seed", lambda s, raw: replace(s, seed=check_seed(raw)))
    attempt("edits", lambda s, raw: replace(s, edits=decode_edits(raw)))
    attempt("compare", read_compare)

    def read_view(s: PageState, raw: str) -> PageState:
        if raw not in VIEWS:
            raise InputError("explore.error_link_view", view=raw[:40])
        return replace(s, view=raw)

    attempt("view", read_view)
    try:
        first, last = _one(params, "from"), _one(params, "to")
        if first is not None or last is not None:
            first, last = check_month(first), check_month(last)
            if first > last:
                raise InputError("explore.error_window", first=first, last=last)
            state = replace(state, window=(first, last))
    except InputError as err:
        problems.append(err)
    return state, problems

"""Every bound on what a person can hand the app or the command line, stated once.

Why one module: a scenario enters by a file, an upload, a shared link or a forked game, and a
run request comes from the explorer, the compare page or the command line. Each entry must
refuse the same things with the same numbers, so each number lives here and the code that
enforces it imports it (the parser in :mod:`model.scenario`, the run guard in
:mod:`model.cost`, the explorer's upload box). A number changed here changes everywhere.

All figures are assumptions chosen for a shared class server (2 cores): the shipped scenarios
are far below every bound (the longest, the 2012-2025 replay, has 5 kB of YAML per
hundred scheduled items and 168 months).
"""

from __future__ import annotations

# ----- scenario files (model.scenario) -----
MAX_UPLOAD_MB = 1
"""Largest scenario file, upload or edited text, in MB: the explorer's upload box states it, and
Streamlit states a limit only in whole MB, so this is the one number a reader is told (the
2012-2025 replay has about 16 kB; 5,000 scheduled items, the bound below, about 230 kB)."""

MAX_SCENARIO_BYTES = MAX_UPLOAD_MB * 1024 * 1024
"""The same bound in bytes (Streamlit's MB is 1,048,576 bytes), which the parser enforces."""

MAX_SCHEDULED = 5_000
"""Most scheduled events plus scripted decisions one file may list."""

MAX_MONTHS = 600
"""Longest scenario: 50 years, a modelling horizon as much as a bound."""

MAX_YAML_DEPTH = 32
"""Deepest nesting of lists and mappings (a scenario needs four levels)."""

MAX_ALIAS_NODES = 10_000
"""Most YAML nodes that aliases (``*name``) may add when expanded: stops "billion laughs"."""

MAX_PARSE_SECONDS = 5.0
"""Longest one parse may take (checked as it goes); the bounds above keep real files far under."""

# ----- run requests from the app (model.cost) and the command line -----
MAX_SEED = 2**32 - 1
"""Largest root seed a person may give (the explorer, the compare page, ``--seed``): numpy's
``SeedSequence`` takes any non-negative integer, but a game keeps its seed in a 64-bit column
and a link should stay short; 32 bits are far more seeds than anyone will try."""


MAX_RUNS = 2_000
"""Most runs one page request may ask for: enough for smooth bands, bounded for a shared host."""

MAX_RUN_MONTHS = 240_000
"""Cost budget of one page request, in run-months (2,000 runs of ten years)."""

LEDGER_COST = 4
"""How many run-months one run-month with the effects ledger costs (time and memory)."""

LEDGER_RUN_MONTHS = 24_000
"""Run-months the effects ledger covers at most (200 runs of ten years, some 30 MB)."""

MAX_SCREEN_RUN_MONTHS = 6_000_000
"""Cost budget of the explorer's tornado ("what matters"), in run-months: its first pass must
fit before it starts (the 2012-2025 replay's 193 settings x 100 runs x 168 months, 3.2 million,
does) and its refinement of the ranking around the fifth place spends at most the rest (on the
replay, about 16,000 more runs; on a two-year what-if, all that the refinement asks for).
A first pass that would not fit at 100 runs per setting runs fewer, down to
:data:`MIN_SCREEN_REPLICATES` (see :func:`model.cost.screen_replicates`)."""

MIN_SCREEN_REPLICATES = 50
"""Fewest runs per setting of the explorer's tornado: a long scenario whose first pass would pass
the budget at 100 runs per setting runs as many as fit, never fewer than this (the 90% whiskers
are then at most sqrt(100/50) = 1.41 times as wide, and the page says so); a scenario too long
even for this is refused before anything runs."""

HEAVY_SLOTS = 2
"""Heavy jobs (ensembles, sensitivity screens) running at once on one server; others queue.

Two, the cores of a class server: with five explorers pressing Run on 2,000 runs, a seat's page
followed each turn as fast with two slots as with no cap, and their ensembles finished twice as
fast as with one slot (bench/heavy_and_game.py, in docs/EXPLORER.md); the cap bounds memory and
keeps thirty students from running thirty ensembles at once.
"""

HEAVY_WAIT_SECONDS = 120.0
"""Longest a heavy job waits for a slot before the reader is told to try again."""

# ----- the classroom game (model.game) -----
MAX_STATEMENT = 280
"""Longest public statement a team may send with its decisions, in characters."""

"""What counts as English left in a Korean or Japanese text (pages, command-line help).

Three or more Latin words in a row is an English sentence (or a piece of one). File names,
paths, ids, commands and the names below may stay in Latin letters.
"""

from __future__ import annotations

import re

WORD = r"[A-Za-z][A-Za-z'’]*"
ENGLISH = re.compile(rf"{WORD}(?:[ ,:;/()-]+{WORD}){{2,}}")
# File names, paths, ids and commands (nk-missile-tests, model/analysis/polls.py, seoul_hold).
CODE = re.compile(r"[A-Za-z0-9-]*(?:[/_]|\.(?=[A-Za-z0-9]))[A-Za-z0-9./_-]*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+){2,}")
# Sources cited as published (model/i18n/sources.yaml): authors, titles, journals, a slogan, a command.
CITED = (
    "Lind, Sorry States",
    "Farrell and Newman",
    "Pettigrew and Tropp",
    "Pandya and Venkatesan",
    "J. Int. Econ.",
    "Rev. Econ. Stat.",
    "'No Japan'",
    "python scripts/rules_replay.py --calibrate --runs 300 --seed 2012",
)
# What may stay in Latin letters: names, codes, file and command names. Streamlit's own hints
# ("Press Enter to apply") and the file uploader's words are replaced in ko and ja (ui/widgets.py)
# and hidden, so they are not in a page's text either.
ALLOWED = (
    "Rapprochement",
    "rapprochement run",
    "rapprochement sensitivity",
    "Made with Streamlit",
    # the data files' own flags and sources, quoted as they are written in the files
    "remembered, NOT verified this session",
    "derived (arithmetic from reported value and reported change)",
    "CSIS Beyond Parallel",
    "North-Korean-Provocations-since",
    *CITED,
)


def english_left(text: str, allowed: tuple[str, ...] = ALLOWED) -> list[str]:
    """The English word runs in a text once the allowed names and codes are taken out."""
    for name in allowed:
        text = text.replace(name, " ")
    text = CODE.sub(" ", text)
    return ENGLISH.findall(text)

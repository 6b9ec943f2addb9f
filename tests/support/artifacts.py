"""Where tests keep files a person may want to look at afterwards (screenshots, debriefs).

``RAPPROCHEMENT_ARTIFACTS`` names the folder (CI can upload it); by default it is
``var/artifacts`` in the checkout, which git ignores. Each run overwrites the files it makes.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def artifacts_dir(*parts: str) -> Path:
    """A folder for one kind of artifact, created if needed."""
    base = Path(os.environ.get("RAPPROCHEMENT_ARTIFACTS") or ROOT / "var" / "artifacts")
    folder = base.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder

"""Join links: the address that opens a role's page of a game directly.

The app serves the seat page at ``/play`` and the instructor's at ``/instructor`` (their
``url_path`` in ``ui/app.py``); both read ``game`` and ``code`` from the query string.
"""

from __future__ import annotations

from urllib.parse import urlencode

from model.game.store import INSTRUCTOR, NewGame

DEFAULT_BASE_URL = "http://localhost:8501"
PAGE_OF = {INSTRUCTOR: "instructor", "projector": "projector", "debrief": "debrief"}
SEAT_PAGE = "play"


def page_url(base_url: str, page: str, game_id: str, code: str) -> str:
    """The address of one of the app's pages for a game, code included (``base_url`` may be "")."""
    query = urlencode({"game": game_id, "code": code})
    return f"{base_url.rstrip('/')}/{page}?{query}"


def link(base_url: str, game_id: str, role: str, code: str) -> str:
    """The link that opens ``role``'s page of a game, code included.

    ``role`` is ``instructor``, a seat, or a view (``projector``, ``debrief``).
    """
    return page_url(base_url, PAGE_OF.get(role, SEAT_PAGE), game_id, code)


def invitation(new: NewGame, base_url: str = DEFAULT_BASE_URL) -> dict:
    """The JSON a teacher (or a script) gets for a new game: every code and its link.

    Returns:
        ``{"game": ID, "instructor": {"code", "link"}, "seats": {seat: {"code", "link"}},
        "viewer": {"code", "projector", "debrief"}}``; the viewer code is read-only.
    """
    return {
        "game": new.id,
        "instructor": {
            "code": new.instructor_code,
            "link": link(base_url, new.id, INSTRUCTOR, new.instructor_code),
        },
        "seats": {
            seat: {"code": code, "link": link(base_url, new.id, seat, code)} for seat, code in new.seat_codes.items()
        },
        "viewer": {
            "code": new.viewer_code,
            "projector": link(base_url, new.id, "projector", new.viewer_code),
            "debrief": link(base_url, new.id, "debrief", new.viewer_code),
        },
    }

"""Join links: the address that opens a role's page of a game directly.

The app serves the seat page at ``/play`` and the instructor's at ``/instructor`` (their
``url_path`` in ``ui/app.py``); both read ``game`` and ``code`` from the query string. A link
may carry ``lang`` (ko, ja, en): a teacher in Tokyo hands out links that open in Japanese;
without it each reader's browser language decides.
"""

from __future__ import annotations

from urllib.parse import urlencode

from model.game.store import INSTRUCTOR, NewGame

DEFAULT_BASE_URL = "http://localhost:8501"
PAGE_OF = {INSTRUCTOR: "instructor", "projector": "projector", "debrief": "debrief"}
SEAT_PAGE = "play"


def page_url(base_url: str, page: str, game_id: str, code: str, lang: str | None = None) -> str:
    """The address of one of the app's pages for a game, code included (``base_url`` may be "").

    ``lang`` (``ko``, ``ja``, ``en``) makes the page open in that language; None leaves the
    choice to the reader's browser.
    """
    params = {"game": game_id, "code": code} | ({"lang": lang} if lang else {})
    return f"{base_url.rstrip('/')}/{page}?{urlencode(params)}"


def link(base_url: str, game_id: str, role: str, code: str, lang: str | None = None) -> str:
    """The link that opens ``role``'s page of a game, code included.

    ``role`` is ``instructor``, a seat, or a view (``projector``, ``debrief``).
    """
    return page_url(base_url, PAGE_OF.get(role, SEAT_PAGE), game_id, code, lang)


def invitation(new: NewGame, base_url: str = DEFAULT_BASE_URL, lang: str | None = None) -> dict:
    """The JSON a teacher (or a script) gets for a new game: every code and its link.

    Args:
        new: The game's id and codes.
        base_url: Where the app is reached.
        lang: Language the links open in (None: each reader's browser decides).

    Returns:
        ``{"game": ID, "instructor": {"code", "link"}, "seats": {seat: {"code", "link"}},
        "viewer": {"code", "projector", "debrief"}}``; the viewer code is read-only.
    """
    return {
        "game": new.id,
        "instructor": {
            "code": new.instructor_code,
            "link": link(base_url, new.id, INSTRUCTOR, new.instructor_code, lang),
        },
        "seats": {
            seat: {"code": code, "link": link(base_url, new.id, seat, code, lang)}
            for seat, code in new.seat_codes.items()
        },
        "viewer": {
            "code": new.viewer_code,
            "projector": link(base_url, new.id, "projector", new.viewer_code, lang),
            "debrief": link(base_url, new.id, "debrief", new.viewer_code, lang),
        },
    }

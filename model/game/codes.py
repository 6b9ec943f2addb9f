"""Access codes for a game's instructor and seats.

A code is the only credential a student or teacher holds, so it is drawn from ``secrets``
(never from the model's random streams) and is long enough that guessing one is hopeless:
12 characters from a 31-letter alphabet without look-alikes (no 0/o, 1/l/i) give about
59 bits. The store keeps only a salted SHA-256 digest; a high-entropy code needs no slow
password hash, and a leaked database gives nobody a code.

Seat codes (and the read-only viewer code for the projector and the debrief) are derived from
the instructor's code with HMAC-SHA256: whoever holds the instructor's code can print the
join links again at any time, while the database still holds digests only, and nobody can
compute a seat code without the instructor's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 12
GAME_ID_LENGTH = 8


def new_code() -> str:
    """Draw a fresh, unguessable code (lower-case, easy to read aloud and to type)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def derive_code(instructor_code: str, game_id: str, role: str) -> str:
    """The code of ``role`` in a game, computed from the instructor's code."""
    key = normalise(instructor_code).encode()
    digest = hmac.new(key, f"{game_id}:{role}".encode(), hashlib.sha256).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:CODE_LENGTH])


def new_game_id() -> str:
    """Draw a short game id; it names a game but grants nothing, so it can be public."""
    return "".join(secrets.choice(ALPHABET) for _ in range(GAME_ID_LENGTH))


def normalise(code: str) -> str:
    """Forgive what people do when they type a code: spaces, dashes, capitals."""
    return "".join(ch for ch in code.strip().lower() if ch.isalnum())


def hash_code(game_id: str, code: str) -> str:
    """Digest of a code, salted with its game so equal codes in two games differ."""
    return hashlib.sha256(f"{game_id}:{normalise(code)}".encode()).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())

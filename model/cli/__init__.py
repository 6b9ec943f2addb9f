"""The ``rapprochement`` command. Each subcommand lives in its own module of this package.

A module that defines ``register(subparsers)`` adds its subcommand(s); the parser found here
calls each, so adding a command never means editing another's code. A handler returns the
process exit code. Errors a user can fix are printed as one line each, never as a traceback.

Messages a person reads (errors, progress, "ok") are in the language of ``--lang`` or, without
it, of ``LANGUAGE``/``LC_ALL``/``LC_MESSAGES``/``LANG``; handlers look texts up with
``model.i18n.tr`` and get that language. Machine-readable output (CSV, Parquet, JSON) is the
same in every language.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from model.i18n import LANGUAGES, language, language_from_env, tr

if TYPE_CHECKING:
    from model.analysis.progress import ProgressLine


class UserError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


def say(text: str) -> None:
    """A line for the person at the terminal (progress, notes), on stderr: stdout is the result's."""
    print(text, file=sys.stderr, flush=True)


def relay(line: ProgressLine) -> None:
    """A progress line of the analysis (a text's key and its values), said in the user's language."""
    say(line.text())


def open_backend(stack: ExitStack, args: argparse.Namespace):
    """The executor that ``--backend``/``--scheduler`` name, closed with ``stack``; None for local.

    Why here: every command that runs ensembles takes the same two options and must turn a
    backend that cannot start (no scheduler, no Dask) into one line for the user.
    """
    if args.backend == "local":
        return None
    from model.backends import BackendError, open_executor

    try:
        return stack.enter_context(open_executor(args.backend, args.scheduler))
    except BackendError as exc:
        raise UserError(str(exc)) from None


# argparse's own words (it asks gettext for them), in the user's language.
_ARGPARSE_WORDS = {
    "usage: ": "usage",
    "positional arguments": "positional",
    "options": "options",
    "show this help message and exit": "help",
    "argument %(argument_name)s: %(message)s": "argument",
    "the following arguments are required: %s": "required",
    "unrecognized arguments: %s": "unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "choice",
    "invalid %(type)s value: %(value)r": "value",
    "expected one argument": "one_value",
    "%(prog)s: error: %(message)s\n": "error",
}


def _argparse_gettext(message: str) -> str:
    key = _ARGPARSE_WORDS.get(message)
    return tr(f"cli.argparse.{key}") if key else message


@contextmanager
def _argparse_in_language() -> Iterator[None]:
    """Within the block, argparse's usage lines, headings and errors follow the current language."""
    saved = argparse._
    argparse._ = _argparse_gettext
    try:
        yield
    finally:
        argparse._ = saved


def _language_of(argv: list[str]) -> str:
    """The language asked for: ``--lang X`` or ``--lang=X`` anywhere, else the environment's."""
    for i, arg in enumerate(argv):
        value = None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        elif arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in LANGUAGES:
            return value
    return language_from_env()


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand module registered (help in the current language)."""
    parser = argparse.ArgumentParser(prog="rapprochement", description=tr("cli.help.description"))
    parser.add_argument("--lang", choices=list(LANGUAGES), default=None, help=tr("cli.help.lang"))
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    with language(_language_of(argv)), _argparse_in_language():
        parser = build_parser()
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 2
        return _run(handler, args)


def problem_line(problem) -> str:
    """One problem of a scenario or catalogue file as ``file:line: field: message`` (user's language)."""
    located = getattr(problem, "located", None)
    return located() if callable(located) else str(problem)


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, else one line naming the bounds."""

    def parse(text: str) -> int:
        value = int(text) if text.strip().lstrip("+").isdigit() else low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(tr("cli.whole_number_range", value=text, low=low, high=high))
        return value

    return parse


def seed(text: str) -> int:
    """``--seed``'s type: a whole number from 0 to :data:`~model.limits.MAX_SEED`.

    Why: numpy's ``SeedSequence`` refuses a negative seed only when the first run starts (a
    traceback, or for ``game new`` a stored game that fails at its first resolve), and a seed
    past 64 bits does not fit the game's database column.
    """
    from model.limits import MAX_SEED

    return whole_number(0, MAX_SEED)(text)


port = whole_number(1, 65535)
"""``--port``'s type (Streamlit's own refusal of port 99999 was a traceback)."""


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
"""A month as the options write it (YYYY-MM): ``--until``, ``--origins``."""


def http_address(text: str) -> str:
    """``--base-url``'s type: an http(s) address with a host, without its trailing slash.

    Why: the join links and QR codes are this address plus a page; ``notaurl`` was accepted
    and printed links no device could open.
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number or out of range)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(tr("cli.base_url", value=text))
    return text.strip().rstrip("/")


def _run(handler, args: argparse.Namespace) -> int:
    """Call a subcommand's handler; a user's error is one line on stderr, never a traceback."""
    from model.catalogue import CatalogueError
    from model.scenario import ScenarioError

    try:
        return int(handler(args) or 0)
    except UserError as exc:
        print(tr("cli.error", message=exc), file=sys.stderr)
        return 2
    except (CatalogueError, ScenarioError) as exc:  # a file's problems, one line each
        for problem in exc.problems:
            print(problem_line(problem), file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno is None:  # not a file or system call that failed: a defect, keep its traceback
            raise
        # an output that cannot be written (a folder that is read-only, full, or not there)
        where = f"{exc.filename}: " if exc.filename else ""
        print(tr("cli.error", message=f"{where}{exc.strerror or exc}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(tr("cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (``| head``) went away: stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())

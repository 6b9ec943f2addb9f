"""YAML read within stated bounds: depth, alias expansion and time, refused before building.

Why: ``yaml.safe_load`` runs no code, but it trusts the shape of the text. Nine levels of nine
anchors ("billion laughs", 400 bytes) expand into 387 million nodes when anything walks the
data, 5,000 nested brackets overflow Python's stack, a date such as ``2025-13-45`` or an
integer of 5,000 digits raises a bare ``ValueError``. This loader composes the node graph
from libyaml's events (pure Python's parser where libyaml is missing) and, node by node, checks
nesting depth, the number of nodes aliases add when expanded, self-referencing aliases and the
time spent, so a hostile file is refused within milliseconds and a few kilobytes of memory.
Values that cannot be built become a :class:`BoundExceeded`-like YAML error with the node's mark.

The bounds themselves live in :mod:`model.limits`.
"""

from __future__ import annotations

import time
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.resolver import Resolver

from model import limits

try:  # libyaml's parser: ten times faster than pure Python's, same events
    from yaml._yaml import CParser as _Parser

    def _init_parser(loader: Any, text: str) -> None:
        _Parser.__init__(loader, text)

    _BASES: tuple[type, ...] = (_Parser,)
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    def _init_parser(loader: Any, text: str) -> None:
        Reader.__init__(loader, text)
        Scanner.__init__(loader)
        Parser.__init__(loader)

    _BASES = (Reader, Scanner, Parser)


class BoundExceeded(yaml.MarkedYAMLError):
    """A document beyond one of the stated bounds.

    Args:
        bound: Which bound (``"depth"``, ``"aliases"``, ``"recursive_alias"``, ``"time"``).
        mark: Where in the text (the node that went past it).
        **values: Numbers for the message (the bound, what was found).

    Attributes:
        limit: The bound's name.
        values: Numbers for the message (the bound and what was found).
    """

    def __init__(self, bound: str, mark: Any, **values: Any):
        super().__init__(problem=f"{bound} {values}", problem_mark=mark)
        self.limit = bound
        self.values = values


class BadValue(yaml.MarkedYAMLError):
    """A scalar the safe constructor could not turn into a value (a date past month 12)."""

    def __init__(self, node: Node, reason: str):
        super().__init__(problem=reason, problem_mark=node.start_mark)
        self.node = node
        self.reason = reason


class _BoundedComposer(Composer):
    """PyYAML's composer with a check on every node it builds."""

    def _start_bounds(self, max_seconds: float) -> None:
        self._deadline = time.monotonic() + max_seconds
        self._max_seconds = max_seconds
        self._depth = 0
        self._alias_nodes = 0
        self._sizes: dict[int, int] = {}  # id(node) -> nodes in its expanded subtree

    def check_time(self, mark: Any = None) -> None:
        """Refuse once the parse has taken longer than its bound."""
        if time.monotonic() > self._deadline:
            raise BoundExceeded("time", mark, seconds=self._max_seconds)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """Compose one node, refusing too deep, too many expanded or self-referencing aliases."""
        event = self.peek_event()
        self.check_time(event.start_mark)
        if self.check_event(yaml.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self._sizes.get(id(target))
                if size is None:  # the alias sits inside the node it names: infinite
                    raise BoundExceeded("recursive_alias", event.start_mark, anchor=event.anchor)
                self._alias_nodes += size
                if self._alias_nodes > limits.MAX_ALIAS_NODES:
                    raise BoundExceeded("aliases", event.start_mark, limit=limits.MAX_ALIAS_NODES)
            return super().compose_node(parent, index)
        nested = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if nested:
            self._depth += 1
            if self._depth > limits.MAX_YAML_DEPTH:
                raise BoundExceeded("depth", event.start_mark, limit=limits.MAX_YAML_DEPTH)
        node = super().compose_node(parent, index)
        if nested:
            self._depth -= 1
        self._sizes[id(node)] = 1 + sum(self._sizes[id(child)] for child in _children(node))
        return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class BoundedLoader(_BoundedComposer, *_BASES, SafeConstructor, Resolver):  # type: ignore[misc]
    """A safe loader (no tags beyond YAML's own) that enforces :mod:`model.limits`."""

    def __init__(self, text: str, max_seconds: float = limits.MAX_PARSE_SECONDS):
        _init_parser(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._start_bounds(max_seconds)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """Build one value; a scalar Python cannot hold becomes a :class:`BadValue` at its line."""
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, OverflowError, TypeError, RecursionError) as err:
            raise BadValue(node, _reason(node, err)) from None


def _reason(node: Node, err: Exception) -> str:
    """What was wrong with a value, in one short line (no library advice)."""
    shown = str(node.value) if not isinstance(node.value, list) else ""
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    kind = node.tag.rsplit(":", 1)[-1]
    if isinstance(err, ValueError) and "digits" in str(err):
        return f"a number of {len(str(node.value))} characters is too long to read"
    return f"{shown!r} is not a valid {kind} ({err})" if shown else f"not a valid {kind} ({err})"


def compose(text: str, max_seconds: float = limits.MAX_PARSE_SECONDS) -> tuple[Node | None, BoundedLoader]:
    """The node graph of a single YAML document, within the bounds.

    Returns:
        The root node (None for an empty document) and the loader, whose
        :meth:`~BoundedLoader.construct_document` builds the Python values.

    Raises:
        yaml.YAMLError: Syntax errors, :class:`BoundExceeded`.
    """
    loader = BoundedLoader(text, max_seconds)
    try:
        return loader.get_single_node(), loader
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # libyaml's own stop, past ours when it scans ahead
            raise BoundExceeded("depth", exc.problem_mark, limit=limits.MAX_YAML_DEPTH) from None
        raise
    finally:
        if hasattr(loader, "dispose"):
            loader.dispose()


def construct(loader: BoundedLoader, node: Node | None) -> Any:
    """The Python values of a composed document (None for an empty one).

    Raises:
        yaml.YAMLError: Constructor errors, :class:`BadValue`.
    """
    if node is None:
        return None
    loader.check_time(node.start_mark)
    return loader.construct_document(node)

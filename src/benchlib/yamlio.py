"""Reading YAML, in one place: the configuration, the text resources, onboarding's checks.

PyYAML's pure-Python parser takes ~40 ms for the six configuration files of a study and is
paid by every clean, report kernel and test that loads a configuration. libyaml's C parser
(``yaml.CSafeLoader``, in PyYAML's wheels) reads the same files ~10× faster and builds the same
objects (the same safe constructor and resolver run on its events). A document it rejects is
parsed again by the pure-Python parser, whose error (with its line) is what a user has always
been shown — and which is the judge: what it accepts is accepted.

A document already read in this process is not parsed again: the result is kept (keyed by
the text) and every call gets a deep copy, ~10× cheaper than PyYAML's constructor,
which runs in Python even behind the C parser (a process that loads a configuration many
times — the bad-input corpus, a report kernel — paid it each time).

>>> safe_load("companies:\\n  - id: a\\n    weight: 1.5\\n")
{'companies': [{'id': 'a', 'weight': 1.5}]}
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import yaml

__all__ = ["safe_load"]

_FAST = hasattr(yaml, "CSafeLoader")


def safe_load(text: str) -> Any:
    """The YAML document ``text`` as Python objects (safe types only); ``yaml.YAMLError`` with
    the pure-Python parser's message and mark when it is not valid YAML. Each call returns
    objects of its own (changing them changes nothing for the next call).

    >>> try:
    ...     safe_load("a: [1, 2")
    ... except yaml.YAMLError as err:
    ...     print(err.problem, "- line", err.problem_mark.line + 1)
    expected ',' or ']', but got '<stream end>' - line 1
    >>> first = safe_load("a: [1, 2]"); first["a"].append(3); safe_load("a: [1, 2]")
    {'a': [1, 2]}
    """
    return copy.deepcopy(_parsed(text))


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> Any:
    """``text`` parsed, kept for the next call (an error is raised, never remembered)."""
    return _parse(text)


def _parse(text: str) -> Any:
    if _FAST:
        try:
            return yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass  # the pure-Python parser below says what is wrong, as it always has
    return yaml.safe_load(text)

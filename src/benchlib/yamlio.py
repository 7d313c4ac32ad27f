"""Reading YAML, in one place: the configuration, the text resources, onboarding's checks.

PyYAML's pure-Python parser takes ~40 ms for the six configuration files of a study and is
paid by every clean, report kernel and test that loads a configuration. libyaml's C parser
(``yaml.CSafeLoader``, in PyYAML's wheels) reads the same files ~10× faster and builds the same
objects (the same safe constructor and resolver run on its events). A document it rejects is
parsed again by the pure-Python parser, whose error (with its line) is what a user has always
been shown — and which is the judge: what it accepts is accepted.

>>> safe_load("companies:\\n  - id: a\\n    weight: 1.5\\n")
{'companies': [{'id': 'a', 'weight': 1.5}]}
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["safe_load"]

_FAST = getattr(yaml, "CSafeLoader", None)


def safe_load(text: str) -> Any:
    """The YAML document ``text`` as Python objects (safe types only); ``yaml.YAMLError`` with
    the pure-Python parser's message and mark when it is not valid YAML.

    >>> try:
    ...     safe_load("a: [1, 2")
    ... except yaml.YAMLError as err:
    ...     print(err.problem, "- line", err.problem_mark.line + 1)
    expected ',' or ']', but got '<stream end>' - line 1
    """
    if _FAST is not None:
        try:
            return yaml.load(text, Loader=_FAST)  # noqa: S506 - CSafeLoader is the safe loader
        except yaml.YAMLError:
            pass  # the pure-Python parser below says what is wrong, as it always has
    return yaml.safe_load(text)

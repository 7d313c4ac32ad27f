"""Run a report notebook's code cells in this process (no kernel start-up) and collect what
it displays — for tests that build many notebooks (the report matrix)."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def _captured(outputs: list[str]):
    import IPython.display as disp

    def display(*objs: Any, raw: bool = False, **_: Any) -> None:
        for o in objs:
            if isinstance(o, dict):
                outputs.append(str(o.get("text/html", "")) + str(o.get("text/plain", "")))
            elif hasattr(o, "_repr_html_") and o._repr_html_() is not None:
                outputs.append(o._repr_html_())
            elif hasattr(o, "data"):
                outputs.append(str(o.data))
            else:
                outputs.append(repr(o))

    old = disp.display
    disp.display = display
    try:
        yield
    finally:
        disp.display = old


def run_notebook(path: Path, root: Path, **parameters: Any) -> str:
    """Execute ``path``'s code cells with ``parameters`` replacing the parameters cell, in the
    project ``root``; returns everything the notebook displayed (HTML and alt texts).

    An exception propagates with the notebook and cell named (``RuntimeError``)."""
    import matplotlib

    matplotlib.use("Agg")
    nb = json.loads(path.read_text(encoding="utf-8"))
    outputs: list[str] = []
    ns: dict[str, Any] = {"__name__": "__notebook__"}
    old_root = os.environ.get("BENCHLIB_ROOT")
    os.environ["BENCHLIB_ROOT"] = str(root)
    try:
        with _captured(outputs):
            for i, cell in enumerate(nb["cells"]):
                if cell["cell_type"] != "code":
                    continue
                src = "".join(cell["source"])
                if "parameters" in cell.get("metadata", {}).get("tags", []):
                    exec(src, ns)  # the defaults, then the overrides (as papermill does)
                    ns.update(parameters)
                    continue
                try:
                    exec(compile(src, f"{path.name}[{i}]", "exec"), ns)
                except Exception as err:
                    raise RuntimeError(f"{path.name} cell {i} failed: {type(err).__name__}: "
                                       f"{err}") from err
    finally:
        if old_root is None:
            os.environ.pop("BENCHLIB_ROOT", None)
        else:
            os.environ["BENCHLIB_ROOT"] = old_root
        import matplotlib.pyplot as plt

        plt.close("all")
    return "\n".join(outputs)

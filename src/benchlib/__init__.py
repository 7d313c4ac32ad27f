"""benchlib — mystery-shopping score sheets to honest service-quality benchmarks.

The analyst entry point is :func:`load_study`::

    import benchlib
    study = benchlib.load_study()
    study.contacts.head()

Heavy dependencies (pandas, statsmodels, …) are imported lazily so that the command line
starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["load_study", "load_config", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from benchlib.config import load_config
    from benchlib.study import load_study


def __getattr__(name: str) -> Any:
    if name == "load_study":
        from benchlib.study import load_study

        return load_study
    if name == "load_config":
        from benchlib.config import load_config

        return load_config
    if name == "plots_trend":  # the trend figures' old module: now part of benchlib.plots
        import benchlib.plots

        return benchlib.plots
    raise AttributeError(f"module 'benchlib' has no attribute {name!r}")

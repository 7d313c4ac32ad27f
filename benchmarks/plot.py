"""The growth plot of docs/performance.md from ``benchmarks/results.json``.

Time and peak memory of ``benchlib clean`` against the number of contacts, log–log, with the
I/O floor (pyarrow read + Parquet write of the same data) and the final in-memory table.

    .venv/bin/python benchmarks/plot.py [results.json] [out.png]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def growth_plot(results: dict, out: Path) -> None:
    """Write the two-panel log–log PNG (deterministic: no timestamp in the file)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = results["cleaning"]["sizes"]
    n = [s["contacts"] for s in sizes]
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    ax_t.plot(n, [s["clean_s"]["median"] for s in sizes], "o-", label="benchlib clean")
    ax_t.plot(n, [s["floor_s"]["median"] for s in sizes], "s--", label="I/O floor")
    ax_t.plot(n, [3 * s["floor_s"]["median"] for s in sizes], ":", color="grey",
              label="target: 3 × floor")
    ax_t.set(xscale="log", yscale="log", xlabel="contacts", ylabel="wall time (s)",
             title="Cleaning time")
    gib = 2 ** 30
    ax_m.plot(n, [s["clean_peak_rss_bytes"]["median"] / gib for s in sizes], "o-",
              label="peak RSS of benchlib clean")
    ax_m.plot(n, [s["final_table_bytes"] / gib for s in sizes], "s--",
              label="final in-memory table")
    ax_m.plot(n, [3 * s["final_table_bytes"] / gib for s in sizes], ":", color="grey",
              label="target: 3 × table")
    ax_m.set(xscale="log", yscale="log", xlabel="contacts", ylabel="GiB", title="Memory")
    for ax in (ax_t, ax_m):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="png", metadata={"Software": None})
    plt.close(fig)


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else REPO / "benchmarks" / "results.json"
    out = Path(argv[1]) if len(argv) > 1 else REPO / "docs" / "img" / "performance_growth.png"
    growth_plot(json.loads(src.read_text(encoding="utf-8")), out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

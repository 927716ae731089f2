"""PNG chart of articles per publication month, stacked by site (matplotlib, headless).

Undated articles are not plotted (they have no month); the chart says how many there are.
Site names are the portals' own Vietnamese titles, in DejaVu Sans (shipped with matplotlib,
so every machine has it; it covers Vietnamese letters and their tone marks).
"""

from __future__ import annotations

import os

from archive.stats import Stats, month_series

FONT = "DejaVu Sans"
MAX_SITES = 8  # more stacked colours than this cannot be told apart: the rest are "other sites"


def articles_per_month_png(stats: Stats, path: str | os.PathLike[str]) -> int:
    """Stacked monthly bars, one colour per site; returns the number of months plotted."""
    import matplotlib

    matplotlib.use("Agg")  # headless: servers and CI have no display
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    months, series = month_series(stats)
    series = _top_sites(series)
    titles = {s["site"]: s.get("title") or s["site"] for s in stats.sites}
    undated = {s["site"]: s.get("undated") or 0 for s in stats.sites if s.get("undated")}
    with plt.rc_context({"font.family": FONT}):
        fig, ax = plt.subplots(figsize=(max(7.0, min(18.0, 0.22 * len(months) + 4)), 5.0), dpi=100)
        try:
            if not months:
                ax.text(0.5, 0.5, "no dated articles yet", ha="center", va="center",
                        transform=ax.transAxes)  # fmt: skip
            bottom = [0] * len(months)
            colours = plt.get_cmap("tab10")
            for n, (site, counts) in enumerate(series.items()):
                label = titles.get(site, site) if site != "" else "other sites"
                ax.bar(range(len(months)), counts, bottom=bottom, width=0.85,
                       color=colours(n % 10), label=label)  # fmt: skip
                bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
            step = max(1, len(months) // 24)  # at most ~24 labels, whatever the span
            ax.set_xticks(range(0, len(months), step))
            ax.set_xticklabels(months[::step], rotation=45, ha="right", fontsize=8)
            ax.set_xlim(-0.6, max(len(months), 1) - 0.4)
            ax.set_ylabel("articles published")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.2 articles
            ax.set_title("Articles per month of publication, by site")
            ax.grid(True, axis="y", alpha=0.3)
            ax.set_axisbelow(True)
            if series:
                # Headroom above the tallest bar, so the legend never hides a bar.
                ax.set_ylim(0, max(max(bottom, default=0), 1) * (1.12 + 0.07 * len(series)))
                ax.legend(fontsize=8, loc="upper left", frameon=False)
            if undated:
                note = (
                    f"Not plotted: {sum(undated.values())} undated articles ("
                    + ", ".join(f"{titles.get(s, s)} {n}" for s, n in sorted(undated.items()))
                    + ")"
                )
                fig.text(0.01, 0.01, note, fontsize=8, ha="left", va="bottom")
            fig.tight_layout(rect=(0, 0.04 if undated else 0, 1, 1))
            fig.savefig(path, format="png")
        finally:
            plt.close(fig)
    return len(months)


def _top_sites(series: dict[str, list[int]]) -> dict[str, list[int]]:
    """The MAX_SITES - 1 largest sites and one "other sites" series ("" key) for the rest."""
    if len(series) <= MAX_SITES:
        return series
    ranked = sorted(series, key=lambda s: -sum(series[s]))
    keep = ranked[: MAX_SITES - 1]
    other = [sum(col) for col in zip(*(series[s] for s in ranked[MAX_SITES - 1 :]), strict=True)]
    return {**{s: series[s] for s in keep}, "": other}

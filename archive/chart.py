"""PNG chart of articles per month per site (matplotlib, no display needed)."""

from __future__ import annotations

import os

from archive.stats import Stats, month_series


def articles_per_month_png(stats: Stats, path: str | os.PathLike[str]) -> int:
    """Draw one line per site; returns the number of months plotted."""
    import matplotlib

    matplotlib.use("Agg")  # headless: servers and CI have no display
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    months, series = month_series(stats)
    fig, ax = plt.subplots(figsize=(max(6.0, min(18.0, 0.35 * len(months) + 3)), 4.5), dpi=100)
    try:
        if not months:
            ax.text(0.5, 0.5, "no articles yet", ha="center", va="center", transform=ax.transAxes)
        for site, counts in series.items():
            ax.plot(range(len(months)), counts, marker="o", markersize=3, label=site)
        step = max(1, len(months) // 24)  # at most ~24 labels, whatever the span
        ax.set_xticks(range(0, len(months), step))
        ax.set_xticklabels(months[::step], rotation=45, ha="right", fontsize=8)
        ax.set_ylabel("articles")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.2 articles
        ax.set_title("Articles per month (publication date) by site")
        ax.grid(True, alpha=0.3)
        if series:
            ax.legend(fontsize=8, ncol=max(1, len(series) // 8))
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return len(months)

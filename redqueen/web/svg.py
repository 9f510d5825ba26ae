"""Small inline SVG figures for the web pages: a line chart and a heatmap. Made on the server,
so the pages need no script and no network."""
from __future__ import annotations

import html
import math
from typing import Sequence


def _colour(value: float, low: float, high: float) -> str:
    """A light-to-dark blue for value in [low, high]."""
    t = 0.5 if high <= low else (value - low) / (high - low)
    t = min(max(t, 0.0), 1.0)
    r, g, b = (int(247 - t * 239), int(251 - t * 203), int(255 - t * 148))
    return f"rgb({r},{g},{b})"


def _text_colour(value: float, low: float, high: float) -> str:
    """Black on light cells, white on dark ones, so every label stays readable."""
    t = 0.5 if high <= low else (value - low) / (high - low)
    return "white" if t > 0.55 else "black"


def line_chart(x: Sequence[float], series: dict[str, Sequence[float]], x_label: str, y_label: str,
               width: int = 640, height: int = 260) -> str:
    """Lines of `series` (name -> y values aligned with x; None gaps), with axes and a legend."""
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
    values = [v for ys in series.values() for v in ys if v is not None and not math.isnan(v)]
    if not x or not values:
        return '<p class="empty">nothing to plot yet</p>'
    left, right, top, bottom = 60, 20, 15, 50
    x0, x1 = min(x), max(x) if max(x) > min(x) else min(x) + 1
    y0, y1 = min(0.0, min(values)), max(values) if max(values) > min(0.0, min(values)) else 1.0
    sx = lambda v: left + (v - x0) / (x1 - x0) * (width - left - right)
    sy = lambda v: height - bottom - (v - y0) / (y1 - y0) * (height - top - bottom)
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{html.escape(y_label)} per {html.escape(x_label)}">',
             f'<line x1="{left}" y1="{sy(y0)}" x2="{width - right}" y2="{sy(y0)}" stroke="#444"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#444"/>']
    for k in range(5):
        v = y0 + (y1 - y0) * k / 4
        parts.append(f'<text x="{left - 5}" y="{sy(v) + 4:.1f}" font-size="11" text-anchor="end">{v:.3g}</text>')
    for v in sorted(set(x)):
        parts.append(f'<text x="{sx(v):.1f}" y="{height - bottom + 15}" font-size="11" text-anchor="middle">'
                     f'{v:g}</text>')
    parts.append(f'<text x="{width - right}" y="{height - bottom + 30}" font-size="12" text-anchor="end">'
                 f'{html.escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{(height - bottom + top) / 2}" font-size="12" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(height - bottom + top) / 2})">{html.escape(y_label)}</text>')
    for i, (name, ys) in enumerate(series.items()):
        colour = colours[i % len(colours)]
        points = [(sx(a), sy(b)) for a, b in zip(x, ys) if b is not None and not math.isnan(b)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                     + " ".join(f"{a:.1f},{b:.1f}" for a, b in points) + '"/>')
        parts += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{colour}"/>' for a, b in points]
        parts.append(f'<text x="{left + 200 * i}" y="{height - 5}" font-size="12" fill="{colour}">'
                     f'— {html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap(values: Sequence[Sequence[float | None]], row_labels: Sequence[str], col_labels: Sequence[str],
            marked: tuple[int, int] | None = None, links: dict[tuple[int, int], str] | None = None,
            cell: int = 34, title: str = "", x_label: str = "", y_label: str = "") -> str:
    """A grid of coloured cells with their values; `marked` (row, col) gets a red frame; `links`
    make cells clickable. Empty cells (None) are left grey."""
    numbers = [v for row in values for v in row if v is not None and not math.isnan(v)]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    rows, cols = len(values), max((len(r) for r in values), default=0)
    left, top = 70, 30
    width, height = max(left + cols * cell + 10, 7 * len(title) + left), top + rows * cell + 45
    parts = [f'<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{html.escape(title)}">',
             f'<text x="{left}" y="16" font-size="13">{html.escape(title)}</text>']
    for i, row in enumerate(values):
        parts.append(f'<text x="{left - 4}" y="{top + i * cell + cell / 2 + 4}" font-size="10" text-anchor="end">'
                     f'{html.escape(str(row_labels[i]))}</text>')
        for j, v in enumerate(row):
            x, y = left + j * cell, top + i * cell
            empty = v is None or math.isnan(v)
            fill = "#ddd" if empty else _colour(v, low, high)
            rect = f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" fill="{fill}"><title>' \
                   f'{html.escape(str(row_labels[i]))}, {html.escape(str(col_labels[j]))}: ' \
                   f'{"empty" if empty else f"{v:.4g}"}</title></rect>'
            label = "" if empty else (f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" font-size="10" '
                                      f'text-anchor="middle" fill="{_text_colour(v, low, high)}">{v:.2g}</text>')
            link = (links or {}).get((i, j))
            parts.append(f'<a href="{html.escape(link)}">{rect}{label}</a>' if link else rect + label)
    if marked is not None:
        i, j = marked
        parts.append(f'<rect class="marked" x="{left + j * cell - 1}" y="{top + i * cell - 1}" width="{cell + 1}" '
                     f'height="{cell + 1}" fill="none" stroke="red" stroke-width="3"/>')
    for j in range(cols):
        parts.append(f'<text x="{left + j * cell + cell / 2}" y="{top + rows * cell + 14}" font-size="10" '
                     f'text-anchor="middle">{html.escape(str(col_labels[j]))}</text>')
    parts.append(f'<text x="{left + cols * cell / 2}" y="{top + rows * cell + 32}" font-size="12" '
                 f'text-anchor="middle">{html.escape(x_label)}</text>')
    parts.append(f'<text x="4" y="{top - 6}" font-size="12">{html.escape(y_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)

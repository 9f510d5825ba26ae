import numpy as np


def policy(grid, me_row, me_col, opp_row, opp_col, turn):
    """Straight runner: keep going the way it came; turn to the freer side only when blocked."""
    rows = np.array([-1, 0, 1, 0])
    cols = np.array([0, 1, 0, -1])
    heading = -1
    for d in range(4):
        back = (d + 2) % 4
        if grid[me_row + rows[back], me_col + cols[back]] == 2:
            heading = d
    if heading >= 0 and grid[me_row + rows[heading], me_col + cols[heading]] == 0:
        return heading
    best = 0
    best_free = -1
    for d in range(4):
        r = me_row + rows[d]
        c = me_col + cols[d]
        if grid[r, c] != 0:
            continue
        free = 0
        for e in range(4):
            if grid[r + rows[e], c + cols[e]] == 0:
                free += 1
        if free > best_free:
            best_free = free
            best = d
    return best

import numpy as np


def policy(grid, me_row, me_col, opp_row, opp_col, turn):
    """Wall hugger: among safe moves, go where the most neighbours are walls or trails, filling space tightly."""
    rows = np.array([-1, 0, 1, 0])
    cols = np.array([0, 1, 0, -1])
    best = 0
    best_score = -1
    for d in range(4):
        r = me_row + rows[d]
        c = me_col + cols[d]
        if grid[r, c] != 0:
            continue
        blocked = 0
        exits = 0
        for e in range(4):
            if grid[r + rows[e], c + cols[e]] != 0:
                blocked += 1
            else:
                exits += 1
        score = blocked if exits > 0 else -1
        if exits == 0 and best_score < 0:
            score = 0
        if score > best_score:
            best_score = score
            best = d
    return best

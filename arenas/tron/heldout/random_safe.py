import numpy as np


def policy(grid, me_row, me_col, opp_row, opp_col, turn):
    """Random safe: a random direction among those that do not crash at once."""
    rows = np.array([-1, 0, 1, 0])
    cols = np.array([0, 1, 0, -1])
    safe = np.zeros(4, np.int64)
    count = 0
    for d in range(4):
        if grid[me_row + rows[d], me_col + cols[d]] == 0:
            safe[count] = d
            count += 1
    if count == 0:
        return 0
    return safe[np.random.randint(count)]

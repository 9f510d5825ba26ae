import numpy as np


def policy(grid, me_row, me_col, opp_row, opp_col, turn):
    """Space maximiser: take the safe move whose flood-filled reachable area is largest."""
    rows = np.array([-1, 0, 1, 0])
    cols = np.array([0, 1, 0, -1])
    height = grid.shape[0]
    width = grid.shape[1]
    queue = np.zeros((height * width, 2), np.int64)
    best = 0
    best_area = -1
    for d in range(4):
        r0 = me_row + rows[d]
        c0 = me_col + cols[d]
        if grid[r0, c0] != 0:
            continue
        seen = np.zeros((height, width), np.int64)
        seen[r0, c0] = 1
        queue[0, 0] = r0
        queue[0, 1] = c0
        head = 0
        tail = 1
        while head < tail:
            r = queue[head, 0]
            c = queue[head, 1]
            head += 1
            for e in range(4):
                nr = r + rows[e]
                nc = c + cols[e]
                if grid[nr, nc] == 0 and seen[nr, nc] == 0:
                    seen[nr, nc] = 1
                    queue[tail, 0] = nr
                    queue[tail, 1] = nc
                    tail += 1
        if tail > best_area:
            best_area = tail
            best = d
    return best

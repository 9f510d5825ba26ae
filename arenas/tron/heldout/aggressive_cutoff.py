import numpy as np


def policy(grid, me_row, me_col, opp_row, opp_col, turn):
    """Aggressive cut-off: head for the cell in front of the opponent while keeping enough room to live."""
    rows = np.array([-1, 0, 1, 0])
    cols = np.array([0, 1, 0, -1])
    height = grid.shape[0]
    width = grid.shape[1]
    target_row = opp_row
    target_col = opp_col
    for d in range(4):
        back = (d + 2) % 4
        if grid[opp_row + rows[back], opp_col + cols[back]] == 3:
            target_row = min(max(opp_row + 2 * rows[d], 1), height - 2)
            target_col = min(max(opp_col + 2 * cols[d], 1), width - 2)
    queue = np.zeros((height * width, 2), np.int64)
    best = 0
    best_score = -1000000.0
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
        while head < tail and tail < 60:
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
        distance = abs(r0 - target_row) + abs(c0 - target_col)
        score = -1.0 * distance
        if tail < 60:
            score = -1000.0 + tail
        if score > best_score:
            best_score = score
            best = d
    return best

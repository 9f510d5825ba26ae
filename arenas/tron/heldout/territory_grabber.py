import numpy as np


def policy(grid, me_row, me_col, opp_row, opp_col, turn):
    """Territory grabber: take the safe move that leaves the most cells closer to it than to the opponent."""
    rows = np.array([-1, 0, 1, 0])
    cols = np.array([0, 1, 0, -1])
    height = grid.shape[0]
    width = grid.shape[1]
    queue = np.zeros((height * width, 2), np.int64)
    far = 1 << 30
    best = 0
    best_score = -1000000
    for d in range(4):
        r0 = me_row + rows[d]
        c0 = me_col + cols[d]
        if grid[r0, c0] != 0:
            continue
        mine = np.full((height, width), far, np.int64)
        theirs = np.full((height, width), far, np.int64)
        for who in range(2):
            dist = mine if who == 0 else theirs
            sr = r0 if who == 0 else opp_row
            sc = c0 if who == 0 else opp_col
            dist[sr, sc] = 0
            queue[0, 0] = sr
            queue[0, 1] = sc
            head = 0
            tail = 1
            while head < tail:
                r = queue[head, 0]
                c = queue[head, 1]
                head += 1
                for e in range(4):
                    nr = r + rows[e]
                    nc = c + cols[e]
                    if grid[nr, nc] == 0 and (nr != r0 or nc != c0) and dist[nr, nc] > dist[r, c] + 1:
                        dist[nr, nc] = dist[r, c] + 1
                        queue[tail, 0] = nr
                        queue[tail, 1] = nc
                        tail += 1
        score = 0
        for r in range(height):
            for c in range(width):
                if mine[r, c] < theirs[r, c] and mine[r, c] < far:
                    score += 1
                elif theirs[r, c] < mine[r, c]:
                    score -= 1
        if score > best_score:
            best_score = score
            best = d
    return best

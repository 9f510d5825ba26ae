"""Tron's built-in policy family: score each safe move by weighted features, take the best.

Parameters (weights may be negative):
  w_space      reachable area after the move (flood fill, capped at `reach` cells)
  w_toward     getting closer to the opponent's head (aggression)
  w_walls      walls and trails around the new cell (hugging, filling space tightly)
  w_center     staying near the centre of the board
  w_territory  cells closer to me than to the opponent after the move (Voronoi; 0: not computed)
  jitter       random noise added to every score
  reach        flood fill cap (cells)
"""
from arenas.policy.family import Family, Parameter

PARAMETERS = {
    "w_space": Parameter(0.0, 3.0),
    "w_toward": Parameter(-2.0, 2.0),
    "w_walls": Parameter(-1.0, 1.0),
    "w_center": Parameter(-1.0, 1.0),
    "w_territory": Parameter(0.0, 3.0),
    "jitter": Parameter(0.0, 0.3),
    "reach": Parameter(10, 400, integer=True),
}

HEADER = '''def policy(grid, me_row, me_col, opp_row, opp_col, turn):
    """Weighted features of each safe move (built-in family)."""'''

_SETUP = """\
    rows = np.array([-1, 0, 1, 0])
    cols = np.array([0, 1, 0, -1])
    height = grid.shape[0]
    width = grid.shape[1]
    cells = (height - 2) * (width - 2)
    span = height + width
    queue = np.zeros((height * width, 2), np.int64)
    best = 0
    best_score = -1.0e9
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
        while head < tail and tail < {reach}:
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
        blocked = 0
        for e in range(4):
            if grid[r0 + rows[e], c0 + cols[e]] != 0:
                blocked += 1
        toward = abs(r0 - opp_row) + abs(c0 - opp_col)
        center = abs(r0 - height / 2.0) + abs(c0 - width / 2.0)
        score = {w_space!r} * tail / {reach} - {w_toward!r} * toward / span + {w_walls!r} * blocked / 4.0
        score = score - {w_center!r} * center / span + {jitter!r} * np.random.random()
"""

_TERRITORY = """\
        mine = np.full((height, width), 1 << 30, np.int64)
        theirs = np.full((height, width), 1 << 30, np.int64)
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
        owned = 0
        for r in range(height):
            for c in range(width):
                if mine[r, c] < theirs[r, c]:
                    owned += 1
        score = score + {w_territory!r} * owned / cells
"""

_CHOOSE = """\
        if score > best_score:
            best_score = score
            best = d
    return best
"""


def render(p: dict) -> str:
    body = _SETUP.format(**p)
    if p["w_territory"] > 0:
        body += _TERRITORY.format(**p)
    return body + _CHOOSE


FAMILY = Family("tron-features", PARAMETERS, HEADER, render)

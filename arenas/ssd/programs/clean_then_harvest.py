def policy(grid, positions, orientations, timeouts, me, step):
    """Clean, then harvest: even-numbered agents clean the nearest waste while there is any (facing
    it before firing the cleaning beam); the others, and everyone in Gathering, take the nearest apple."""
    row = positions[me, 0]
    col = positions[me, 1]
    goal = 2
    if me % 2 == 0:
        for r in range(grid.shape[0]):
            for c in range(grid.shape[1]):
                if grid[r, c] == 3:
                    goal = 3
    best_row = -1
    best_col = -1
    best_distance = 1 << 30
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            if grid[r, c] == goal:
                d = abs(r - row) + abs(c - col)
                if d < best_distance:
                    best_distance = d
                    best_row = r
                    best_col = c
    if best_row < 0:
        return 4
    if goal == 3 and best_distance <= 3 and (best_row == row or abs(best_col - col) <= 1):
        want = 3 if best_col < col else 1
        if best_col == col:
            want = 0 if best_row < row else 2
        if orientations[me] == want:
            return 8
        return 6
    if best_col < col:
        return 3
    if best_col > col:
        return 1
    if best_row < row:
        return 0
    if best_row > row:
        return 2
    return 4

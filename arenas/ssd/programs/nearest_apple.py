def policy(grid, positions, orientations, timeouts, me, step):
    """Nearest apple: walk towards the closest apple (Manhattan distance); stay when there is none."""
    row = positions[me, 0]
    col = positions[me, 1]
    best_row = -1
    best_col = -1
    best_distance = 1 << 30
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            if grid[r, c] == 2:
                d = abs(r - row) + abs(c - col)
                if d < best_distance:
                    best_distance = d
                    best_row = r
                    best_col = c
    if best_row < 0:
        return 4
    if best_row < row:
        return 0
    if best_row > row:
        return 2
    if best_col > col:
        return 1
    if best_col < col:
        return 3
    return 4

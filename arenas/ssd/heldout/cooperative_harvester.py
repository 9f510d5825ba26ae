def policy(grid, positions, orientations, timeouts, me, step):
    """Cooperative harvester: never tags. It eats only apples that have another apple within two
    cells, leaving the last apples of a patch to regrow. In Cleanup it takes its turn at the river:
    odd-numbered agents clean once a tenth of the river is waste, everyone once a fifth is; it walks
    to the nearest waste and fires the cleaning beam when the waste is within the beam's reach."""
    rows, cols = grid.shape
    row = positions[me, 0]
    col = positions[me, 1]
    waste = 0
    water = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r, c] == 3:
                waste += 1
                water += 1
            elif grid[r, c] == 4:
                water += 1
    on_duty = water > 0 and (5 * waste > water or (me % 2 == 1 and 10 * waste > water))
    target_r = -1
    target_c = -1
    nearest = rows + cols
    for r in range(rows):
        for c in range(cols):
            wanted = False
            if on_duty:
                wanted = grid[r, c] == 3 and (r != row or c != col)
            elif grid[r, c] == 2:
                for r2 in range(max(0, r - 2), min(rows, r + 3)):
                    for c2 in range(max(0, c - 2), min(cols, c + 3)):
                        if grid[r2, c2] == 2 and (r2 != r or c2 != c):
                            wanted = True
            if wanted and abs(r - row) + abs(c - col) < nearest:
                nearest = abs(r - row) + abs(c - col)
                target_r = r
                target_c = c
    if target_r < 0:
        return 4
    dr = target_r - row
    dc = target_c - col
    if on_duty:
        facing_needed = -1
        if abs(dr) <= 1 and 0 < abs(dc) <= 5:
            facing_needed = 1 if dc > 0 else 3
        elif abs(dc) <= 1 and 0 < abs(dr) <= 5:
            facing_needed = 2 if dr > 0 else 0
        if facing_needed >= 0:
            if orientations[me] == facing_needed:
                return 8
            if (facing_needed - orientations[me]) % 4 == 1:
                return 6
            return 5
    shift_r = np.array([-1, 0, 1, 0])
    shift_c = np.array([0, 1, 0, -1])
    options = np.full(2, -1, np.int64)
    if abs(dc) >= abs(dr):
        options[0] = 1 if dc > 0 else 3
        if dr != 0:
            options[1] = 2 if dr > 0 else 0
    else:
        options[0] = 2 if dr > 0 else 0
        if dc != 0:
            options[1] = 1 if dc > 0 else 3
    for k in range(2):
        move = options[k]
        if move < 0:
            continue
        nr = row + shift_r[move]
        nc = col + shift_c[move]
        free = grid[nr, nc] != 1
        for j in range(positions.shape[0]):
            if positions[j, 0] == nr and positions[j, 1] == nc:
                free = False
        if free:
            return move
    return 4

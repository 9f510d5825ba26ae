def policy(grid, positions, orientations, timeouts, me, step):
    """Greedy harvester: always takes the first step of a shortest path (breadth-first search around
    walls and other agents) to the nearest apple and eats every apple it reaches. It never tags and
    never cleans; with no apple in reach it waits on the nearest bare apple spot."""
    rows, cols = grid.shape
    moves_r = np.array([-1, 0, 1, 0])
    moves_c = np.array([0, 1, 0, -1])
    taken = np.zeros(rows * cols, np.bool_)
    for j in range(positions.shape[0]):
        if j != me and positions[j, 0] >= 0:
            taken[positions[j, 0] * cols + positions[j, 1]] = True
    first_move = np.full(rows * cols, -1, np.int64)
    queue = np.empty(rows * cols, np.int64)
    start = positions[me, 0] * cols + positions[me, 1]
    first_move[start] = 4
    queue[0] = start
    head = 0
    tail = 1
    spot_move = -1
    while head < tail:
        cell = queue[head]
        head += 1
        r = cell // cols
        c = cell % cols
        if grid[r, c] == 2:
            return first_move[cell]
        if spot_move < 0 and grid[r, c] == 5:
            spot_move = first_move[cell]
        for move in range(4):
            nr = r + moves_r[move]
            nc = c + moves_c[move]
            nxt = nr * cols + nc
            if grid[nr, nc] != 1 and not taken[nxt] and first_move[nxt] < 0:
                first_move[nxt] = move if cell == start else first_move[cell]
                queue[tail] = nxt
                tail += 1
    if spot_move >= 0:
        return spot_move
    return 4

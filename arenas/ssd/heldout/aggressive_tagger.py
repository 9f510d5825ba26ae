# family ssd-features: {"aggression": 1.0, "chase": 0.7, "clean_reach": 1, "clean_threshold": 0.4, "cleaner_share": 0.0, "jitter": 0.05}
def policy(grid, positions, orientations, timeouts, me, step):
    """Aggressive tagger: chases the nearest agent most of the time and tags whoever is ahead."""
    drow = np.array([-1, 0, 1, 0])
    dcol = np.array([0, 1, 0, -1])
    rows = grid.shape[0]
    cols = grid.shape[1]
    row = positions[me, 0]
    col = positions[me, 1]
    facing = orientations[me]
    waste = 0
    river = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r, c] == 3:
                waste += 1
            if grid[r, c] == 3 or grid[r, c] == 4:
                river += 1
    if np.random.random() < 1.0:
        r = row
        c = col
        for k in range(20):
            r += drow[facing]
            c += dcol[facing]
            if grid[r, c] == 1:
                break
            hit = False
            for j in range(positions.shape[0]):
                if j != me and positions[j, 0] == r and positions[j, 1] == c:
                    hit = True
            if hit:
                return 7
    if np.random.random() < 0.05:
        return np.random.randint(4)
    cleaning = river > 0 and waste > 0.4 * river and ((me * 37) % 100) < 0.0 * 100
    chasing = np.random.random() < 0.7
    best = -1
    best_distance = 1 << 30
    if chasing:
        for j in range(positions.shape[0]):
            if j != me and positions[j, 0] >= 0:
                d = abs(positions[j, 0] - row) + abs(positions[j, 1] - col)
                if d < best_distance:
                    best_distance = d
                    best = positions[j, 0] * cols + positions[j, 1]
    else:
        goal = 3 if cleaning else 2
        for r in range(rows):
            for c in range(cols):
                if grid[r, c] == goal:
                    d = abs(r - row) + abs(c - col)
                    if d < best_distance:
                        best_distance = d
                        best = r * cols + c
    if best < 0:
        return 4
    tr = best // cols
    tc = best % cols
    if abs(tr - row) >= abs(tc - col):
        want = 0 if tr < row else 2
    else:
        want = 1 if tc > col else 3
    if (cleaning and not chasing and best_distance <= 1) or (chasing and best_distance <= 20):
        if tr != row and tc != col and not cleaning:
            return want
        if facing == want:
            return 8 if cleaning and not chasing else 7
        return 6
    if best_distance == 0:
        return 4
    return want

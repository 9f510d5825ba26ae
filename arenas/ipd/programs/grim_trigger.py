def policy(my_moves, their_moves, turn):
    """Grim trigger: cooperate until the opponent defects once, then defect forever."""
    if turn > 0 and their_moves.sum() > 0:
        return 1
    return 0

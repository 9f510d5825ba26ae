def policy(my_moves, their_moves, turn):
    """Tit for two tats: defect only after two defections in a row."""
    if turn >= 2 and their_moves[turn - 1] == 1 and their_moves[turn - 2] == 1:
        return 1
    return 0

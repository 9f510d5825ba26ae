def policy(my_moves, their_moves, turn):
    """Tit for tat: cooperate first, then copy the opponent's last move."""
    if turn == 0:
        return 0
    return their_moves[turn - 1]

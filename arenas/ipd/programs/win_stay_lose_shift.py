def policy(my_moves, their_moves, turn):
    """Win-stay lose-shift (Pavlov): repeat the last move after R or T, switch after S or P."""
    if turn == 0:
        return 0
    if their_moves[turn - 1] == 0:
        return my_moves[turn - 1]
    return 1 - my_moves[turn - 1]

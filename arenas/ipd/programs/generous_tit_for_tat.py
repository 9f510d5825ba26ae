import numpy as np


def policy(my_moves, their_moves, turn):
    """Generous tit for tat: like tit for tat, but forgive a defection one time in three."""
    if turn == 0 or their_moves[turn - 1] == 0:
        return 0
    return 0 if np.random.random() < 0.33 else 1

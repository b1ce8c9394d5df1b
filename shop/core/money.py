"""Money: Decimal yuan with a currency (CNY), rounded to the fen in one place, never a float.

Amounts are Decimal yuan everywhere in the code and the database; only Stripe counts in integer
fen, and `yuan_to_fen` / `fen_to_yuan` are the two doors between the units."""

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

FEN = Decimal("0.01")


class Currency(StrEnum):
    CNY = "CNY"


def round_to_fen(value: Decimal | int | str) -> Decimal:
    """An amount in yuan rounded to the fen (half up): the one place money is rounded."""
    if isinstance(value, float):
        raise TypeError("Money is never a float; pass a Decimal, an int or a string.")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def yuan_to_fen(amount: Decimal) -> int:
    """Decimal yuan → integer fen (Stripe's minor units), rounded to the fen once, never via float."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise TypeError(f"An amount in yuan must be a Decimal, an int or a string, not {type(amount).__name__}.")
    return int(round_to_fen(amount).scaleb(2))


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen → Decimal yuan with two places."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"An amount in fen must be an int, not {type(fen).__name__}.")
    return round_to_fen(Decimal(fen).scaleb(-2))


def split_to_fen(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` shared in proportion to `weights`, each part in whole fen, the parts adding up to
    `total` exactly: each part is rounded down, and the fen left over go one each to the parts
    that lost most in rounding (the earlier part on a tie). Used wherever one amount is shared
    (a cooperative's sale among its households, a refund among the credits and fees it undoes)."""
    if any(w < 0 for w in weights):
        raise ValueError("Weights must not be negative.")
    whole = sum((Fraction(w) for w in weights), Fraction(0))
    if whole == 0:
        raise ValueError("At least one weight must be positive.")
    total_fen = yuan_to_fen(total)
    exact = [Fraction(total_fen) * Fraction(w) / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    left = total_fen - sum(parts)
    by_loss = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_loss[:left]:
        parts[i] += 1
    return [fen_to_yuan(p) for p in parts]

"""Resident ID numbers (GB 11643-1999): 6-digit division code, birth date,
3-digit sequence and a check digit (ISO 7064 MOD 11-2)."""

from datetime import date

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_DIGITS = "10X98765432"


def check_digit(first17: str) -> str:
    return CHECK_DIGITS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def is_valid(number: str) -> bool:
    # ASCII digits only: isdigit() and int() also take full-width ones (１２３), which no register holds.
    if len(number) != 18 or not (number[:17].isascii() and number[:17].isdigit()):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return number[17] == check_digit(number[:17])


def make(*, county_code: str, birth: date, sequence: int) -> str:
    first17 = f"{county_code[:6]}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)

"""Personal data shown only as much as a viewer needs (one place, so every page agrees)."""


def mask_name(name: str) -> str:
    """杨秀英 → 杨**: the family name is enough to say whose goods these are."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_digits(value: str, *, keep: int = 4) -> str:
    """Only the last digits of an ID number, phone or bank account."""
    if not value:
        return ""
    return "*" * max(len(value) - keep, 0) + value[-keep:]

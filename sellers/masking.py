"""Personal data shown only as much as a viewer needs (one place, so every page agrees)."""


def mask_name(name: str) -> str:
    """杨秀英 → 杨**: the family name is enough to say whose goods these are."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_digits(value: str, *, keep: int = 4) -> str:
    """Only the last digits of an ID number, phone or bank account."""
    if not value:
        return ""
    return "*" * max(len(value) - keep, 0) + value[-keep:]


def personal_fields(household, *, full: bool) -> dict[str, str]:
    """The household's ID number, phone and bank account: the phone and bank account in full for
    `full` (the household's own station manager), else masked. The resident ID number is never
    shown whole again once entered, to anyone: its last digits are enough to tell people apart."""
    shown = {"phone": household.phone, "bank_account": household.bank_account}
    if not full:
        shown = {name: mask_digits(value) for name, value in shown.items()}
    return {"id_number": mask_digits(household.id_number), **shown}

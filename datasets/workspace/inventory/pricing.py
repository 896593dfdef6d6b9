def apply_discount(price: float, percent: float) -> float:
    """The price less `percent` per cent, never below zero."""
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be from 0 to 100, not {percent}")
    return round(price * (1 - percent / 100), 2)


def bulk_price(unit_price: float, quantity: int) -> float:
    """Ten per cent off from ten units up."""
    total = unit_price * quantity
    if quantity > 10:
        return apply_discount(total, 10)
    return round(total, 2)


def format_price(amount: float, currency: str = "EUR") -> str:
    return f"{amount:,.2f} {currency}"

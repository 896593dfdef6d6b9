import pytest

from inventory.pricing import apply_discount, bulk_price, format_price


def test_apply_discount():
    assert apply_discount(80.0, 25) == 60.0


def test_apply_discount_rejects_bad_percent():
    with pytest.raises(ValueError):
        apply_discount(10.0, 120)


def test_bulk_price_from_ten_units():
    # The docstring says "from ten units up": this fails until bulk_price uses >= 10.
    assert bulk_price(2.0, 10) == 18.0


def test_format_price():
    assert format_price(1234.5) == "1,234.50 EUR"

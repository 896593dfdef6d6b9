"""A small stock-keeping library: the example workspace `punie dataset generate` makes the curated set from."""

from inventory.models import Inventory, Item
from inventory.pricing import apply_discount, format_price

__all__ = ["Inventory", "Item", "apply_discount", "format_price"]

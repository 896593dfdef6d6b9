from inventory.models import Inventory, Item
from inventory.pricing import format_price


def low_stock(inventory: Inventory, threshold: int = 5) -> list[Item]:
    return [item for item in inventory._items.values() if item.quantity < threshold]


def summary_lines(inventory: Inventory) -> list[str]:
    lines = [f"{len(inventory)} products, worth {format_price(inventory.total_value())}"]
    for item in low_stock(inventory):
        lines.append(f"low: {item.name} ({item.quantity} left)")
    return lines

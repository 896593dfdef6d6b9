from dataclasses import dataclass, field


@dataclass
class Item:
    sku: str
    name: str
    price: float
    quantity: int = 0
    tags: list[str] = field(default_factory=list)

    def value(self) -> float:
        return self.price * self.quantity


class OutOfStock(Exception):
    """Raised when more units are taken than the inventory holds."""


class Inventory:
    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def add(self, item: Item) -> None:
        existing = self._items.get(item.sku)
        if existing:
            existing.quantity += item.quantity
        else:
            self._items[item.sku] = item

    def take(self, sku: str, count: int) -> Item:
        item = self._items[sku]
        if count > item.quantity:
            raise OutOfStock(f"{sku}: {count} wanted, {item.quantity} left")
        item.quantity -= count
        return item

    def find_by_tag(self, tag: str) -> list[Item]:
        return [item for item in self._items.values() if tag in item.tags]

    def total_value(self) -> float:
        return sum(item.value() for item in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

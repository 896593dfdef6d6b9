import pytest

from inventory.models import Inventory, Item, OutOfStock


def make_inventory() -> Inventory:
    inventory = Inventory()
    inventory.add(Item("A1", "bolt", 0.25, 100, ["hardware"]))
    inventory.add(Item("B2", "hammer", 12.5, 3, ["tools", "hardware"]))
    return inventory


def test_add_merges_same_sku():
    inventory = make_inventory()
    inventory.add(Item("A1", "bolt", 0.25, 20))
    assert len(inventory) == 2
    assert inventory.take("A1", 0).quantity == 120


def test_take_too_many_raises():
    with pytest.raises(OutOfStock):
        make_inventory().take("B2", 4)


def test_find_by_tag():
    names = [item.name for item in make_inventory().find_by_tag("hardware")]
    assert names == ["bolt", "hammer"]


def test_total_value():
    assert make_inventory().total_value() == pytest.approx(62.5)

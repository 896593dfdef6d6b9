from dataclasses import dataclass

from tdom import Node, html


@dataclass
class Card:
    title: str

    def render(self) -> Node:
        return html(t"<div>{self.title}</div>")

from dataclasses import dataclass

from tdom import Node, html


@dataclass
class Comment:
    body: str

    def __call__(self) -> Node:
        return html(f"<p>{self.body}</p>")

from tdom import Node, html


def page(name: str) -> Node:
    return html(f"<p>Hello {name}</p>")

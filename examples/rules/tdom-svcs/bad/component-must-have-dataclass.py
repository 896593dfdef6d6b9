from tdom import Node, html


class Heading:
    def __call__(self) -> Node:
        return html(t"<h1>Hello</h1>")

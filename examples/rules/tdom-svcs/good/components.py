"""Components that follow the rules: dataclasses rendering t-strings in __call__."""

from dataclasses import dataclass

from svcs_di import Inject
from tdom import Node, html

from .services import GreeterService


@dataclass
class Heading:
    text: str

    def __call__(self) -> Node:
        # html(f"...") would not escape: a t-string does.
        return html(t"<h1>{self.text}</h1>")


@dataclass
class Greeting:
    greeter: Inject[GreeterService]

    def __call__(self) -> Node:
        return html(t"<p>{self.greeter.greet()}</p>", context=self.greeter)

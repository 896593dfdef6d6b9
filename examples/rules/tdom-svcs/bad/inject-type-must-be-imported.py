from dataclasses import dataclass

from svcs_di import Inject
from tdom import Node, html


@dataclass
class Profile:
    users: Inject[UserService]

    def __call__(self) -> Node:
        return html(t"<p>{self.users}</p>", context=self.users)

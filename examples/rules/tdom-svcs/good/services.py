"""Services: injectable dataclasses that depend on other services only."""

from dataclasses import dataclass

from svcs_di import Inject, injectable

from .store import UserStore


@injectable
@dataclass
class GreeterService:
    users: Inject[UserStore]

    def greet(self) -> str:
        return f"Hello, {self.users.current()}"

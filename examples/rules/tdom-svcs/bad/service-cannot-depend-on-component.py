from dataclasses import dataclass

from svcs_di import Inject, injectable

from .components import HeaderComponent


@injectable
@dataclass
class UserService:
    header: Inject[HeaderComponent]

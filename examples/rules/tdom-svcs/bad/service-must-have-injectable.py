from dataclasses import dataclass


@dataclass
class UserService:
    limit: int = 10

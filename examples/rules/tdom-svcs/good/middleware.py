"""Middleware with categories and the (self, target, props, context) signature."""

from dataclasses import dataclass


@dataclass
class AuthMiddleware:
    categories = ["auth"]

    def __call__(self, target, props, context):
        return target

"""A dependency that returns an instance of a class of the app's own."""

from dataclasses import dataclass

from fastapi import Query


@dataclass(frozen=True)
class User:
    name: str


async def current_user(user: str = Query(default="ann")) -> User:
    return User(user)

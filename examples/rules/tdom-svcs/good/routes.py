"""Routes from the root, with balanced parameters."""

from tdom import Node, html

from .app import app, settings


@app.get("/users/{user_id}")
def show_user(user_id: int) -> Node:
    debug = settings.get("debug")
    return html(t"<p>{user_id} {debug}</p>")


app.add_route("/health", show_user)

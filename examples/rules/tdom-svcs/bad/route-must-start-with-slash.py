from .app import app


@app.get("users")
def list_users() -> list[str]:
    return []

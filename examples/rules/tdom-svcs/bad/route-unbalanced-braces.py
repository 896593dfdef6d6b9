from .app import app


@app.get("/users/{user_id")
def show_user(user_id: int) -> str:
    return str(user_id)

"""The baseline of the gateway benchmark: a bare Flask "hello" page (no template, no database)."""

from flask import Flask


def create_app() -> Flask:
    app = Flask("hello")

    @app.get("/")
    def hello() -> str:
        return "Hello, World!"

    return app

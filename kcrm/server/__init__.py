"""The HTTP server: the app factory, its lifespan and the ASGI middleware."""

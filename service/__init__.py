"""The HTTP service: a FastAPI app over one rag Engine (see service.app.create_app)."""

"""Routes, dependencies, request/response models, errors and monitoring of the HTTP API."""

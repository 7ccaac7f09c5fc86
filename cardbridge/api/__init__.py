"""The local HTTP API (FastAPI): routes, security middleware, events, problem+json errors."""

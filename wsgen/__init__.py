"""wsgen: declare FastAPI WebSocket APIs in YAML and generate plain FastAPI routers."""

__version__ = "0.1.0"

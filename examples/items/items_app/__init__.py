"""Items example: a WebSocket endpoint guarded by a parameter-level dependency."""

"""Echo example: one WebSocket endpoint that sends every message back."""

"""Chat service example: the spec from wsgen's README, with real handlers."""

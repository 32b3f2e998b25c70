"""Rooms example: chat rooms under a router prefix and an include prefix."""

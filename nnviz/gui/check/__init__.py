"""Checks the window runs on its network: the gradient check (Run > Check gradients)."""

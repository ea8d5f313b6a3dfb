"""The orders service: customer orders and their lines."""

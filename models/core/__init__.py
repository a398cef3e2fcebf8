"""The bottom layer: small utilities every other package may use; it imports no other layer."""

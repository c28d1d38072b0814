"""Operating the scaled deployment of docs/operations.md (its loopback bring-up)."""

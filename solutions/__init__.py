"""Reference solutions for the PyTorch exercise kit (one module per exercise)."""

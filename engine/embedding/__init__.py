"""Embedding models behind one `Embedder` interface; torch/transformers live only here.

Submodules are imported on use: importing this package loads no model and no torch.
"""

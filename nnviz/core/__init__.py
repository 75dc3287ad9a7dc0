"""The numpy-only engine: datasets, the network, optimisers, the training loop and grids.

Nothing here imports Qt; the window and the command line are thin layers over it.
"""

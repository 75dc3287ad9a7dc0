"""The numpy-only core: the network (:mod:`.model`), the engine's operations and the packed
sweep (:mod:`.engine`), training, sweeps and the training process (:mod:`.training`), datasets
(:mod:`.data`), files (:mod:`.io`) and what is computed to show a network (:mod:`.analysis`).

Nothing here imports Qt; the window and the command line are thin layers over it.
"""

"""The arithmetic made visible: one point's step through the network with its numbers
(:mod:`.step`), the same as formulas and a table (:mod:`.formulas`), and backpropagation
checked against central differences (:mod:`.gradient_check`)."""

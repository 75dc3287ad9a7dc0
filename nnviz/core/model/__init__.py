"""The network and what it is made of: the multilayer perceptron, its hidden-layer activations,
the schemes its weights start from, the input features it reads of a point, and the optimisers
that update its parameters. Adding an activation or an optimiser starts here."""

"""The Train view: the decision boundary, live figures, loss and gradient curves, and its model (the session)."""

"""Views of image data (the digits, MNIST files): what the Train view shows in place of the
decision boundary when each point is an image."""

"""Inside the network: the diagram of every layer and the maps of one layer's units."""

"""The Compare view: sweeps of networks trained together, and the pins kept by hand."""

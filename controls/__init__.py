"""The shipped control library and framework catalogs: data only."""

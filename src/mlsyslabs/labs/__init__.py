"""The labs: marimo notebooks shipped as package data, described by `catalog`."""

"""icc-travel: which stops of an itinerary carry an obligation to arrest under the Rome Statute."""

__version__ = "0.1.0"

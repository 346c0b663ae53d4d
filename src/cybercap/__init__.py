"""cybercap: a platform for a regional cybercrime capacity-development programme."""

__version__ = "0.1.0"

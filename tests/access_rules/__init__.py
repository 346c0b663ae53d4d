"""Each module here adds an app's rules to the role x URL matrix (see tests/access.py)."""

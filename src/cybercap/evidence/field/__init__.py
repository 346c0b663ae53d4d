"""The evidence field toolkit: hashing, manifests and verification with no server.

Everything in this package is pure Python with no Django import, so that
``cybercap evidence ...`` runs on an investigator's laptop with no settings, no database
and no network.
"""

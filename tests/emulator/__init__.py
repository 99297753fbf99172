"""Local emulator of the R-KVStore API (version 2015-01-01) for tests and rehearsals.

It speaks the real wire protocol (RPC style, ACS3-HMAC-SHA256 and HMAC-SHA1
signatures, JSON error bodies), keeps its state in memory and is started with
``python tests/emulator --state STATE.yml`` from the repository root.
"""

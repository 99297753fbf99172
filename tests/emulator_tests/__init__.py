"""Tests of the R-KVStore API emulator, run against the real SDKs."""

"""Elasticsearch emulator: the 8.x REST subset Optimize and the checks use, with security on."""

"""Camunda 8.8+ Orchestration Cluster emulator: the REST API v2 with the cluster's own authentication."""

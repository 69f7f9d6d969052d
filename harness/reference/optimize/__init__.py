"""Optimize emulator: readiness, the public REST API, a login page and UI shell, tenant rules, headers."""

"""Zeebe gateway emulator: serves the real `gateway_protocol.Gateway` gRPC service (pyzeebe's stubs)."""

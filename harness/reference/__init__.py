"""Reference services: protocol-faithful emulators the harness brings for its own tests and demos.

Nothing here imports the plugin or the scenarios; each service runs as its own process.
"""

"""Load on the proxy/auth hot path with Locust: users, a headless runner, and the SLOs it is judged by."""

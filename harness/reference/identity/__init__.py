"""Identity emulator: Keycloak-style OAuth2 client credentials, RS256 tokens, JWKS, and an admin API."""

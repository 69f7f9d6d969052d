"""The secrets scenario: business units' secrets in Vault stay with their unit."""

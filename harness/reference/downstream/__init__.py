"""The downstream system a business unit's worker calls: it accepts only the credential Vault holds now."""

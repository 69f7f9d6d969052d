"""A Vault-like secrets service, faithful to the parts of Vault's HTTP API that hvac uses: health, token
lookup, AppRole login, KV v2 at `secret/`, ACL policies in HCL and a file audit device with HMACs."""

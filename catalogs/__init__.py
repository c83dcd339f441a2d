"""Built-in catalog data (TOML files); no code lives here."""

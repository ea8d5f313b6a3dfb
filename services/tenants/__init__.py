"""The tenants service: the tenants of the platform and their settings."""

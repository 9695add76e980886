"""The registry: organizations, people, roles and channels (权责明晰)."""

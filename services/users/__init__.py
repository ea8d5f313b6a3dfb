"""The users service: accounts, their roles and their API keys."""

"""The monorepo as loaded: services with their models and histories, and who owns which table.

``workspace`` is the aggregate (found from ``--root``); ``model_loader`` imports a service's
models; ``ownership`` is the table registry; ``service_graph`` the services' foreign-key graph.
"""

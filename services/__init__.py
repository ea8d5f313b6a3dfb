"""The bundled example monorepo: one package per service, all sharing one database."""

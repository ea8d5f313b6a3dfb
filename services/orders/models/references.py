"""References to other services' tables (cross-service foreign keys, pattern A: stub tables).

``orders.user_id`` points at ``users.id`` (the users service) and ``order_lines.product_id`` at
``products.id`` (the products service). SQLAlchemy resolves a string foreign key only within
one MetaData, so the orders MetaData declares the two referenced tables here as minimal stubs:
just their primary key, with the same type as the real column.

These stubs are NOT owned by the orders service: the users and products services own, create
and migrate the real tables. ``alembic.ini.d/orders.ini`` therefore restricts what orders owns
with ``tables = orders, order_lines``, so autogenerate never creates, alters or drops a stub.
"""
import sqlalchemy as sa

from services.orders.models import metadata

#: Stub of the users service's ``users`` table.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
)

#: Stub of the products service's ``products`` table.
products = sa.Table(
    "products",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
)

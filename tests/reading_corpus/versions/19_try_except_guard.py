"""try except guard

Revision ID: 0019tryxexce
Revises:
Create Date: 2023-02-19 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0019tryxexce'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    try:
        op.drop_constraint("fk_orders_customer", "orders", type_="foreignkey")
    except Exception:
        pass
    op.create_foreign_key("fk_orders_customer_id_customers", "orders", "customers",
                          ["customer_id"], ["id"], ondelete="CASCADE")


def downgrade():
    op.drop_constraint("fk_orders_customer_id_customers", "orders", type_="foreignkey")

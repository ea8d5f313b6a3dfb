"""batch alias named batch

Revision ID: 0003batchxal
Revises:
Create Date: 2023-04-13 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0003batchxal'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("status", existing_type=sa.String(16), type_=sa.String(32))
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint("uq_invoices_number", type_="unique")
        batch.create_unique_constraint("uq_invoices_number_year", ["number", "year"])


def downgrade():
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint("uq_invoices_number_year", type_="unique")
        batch.create_unique_constraint("uq_invoices_number", ["number"])
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("status", existing_type=sa.String(32), type_=sa.String(16))

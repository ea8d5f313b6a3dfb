"""schema qualified

Revision ID: 0021schemaxq
Revises:
Create Date: 2023-04-11 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0021schemaxq'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("events", sa.Column("id", sa.BigInteger(), primary_key=True), schema="analytics")
    op.add_column("sessions", sa.Column("event_id", sa.BigInteger(), nullable=True), schema="analytics")


def downgrade():
    op.drop_column("sessions", "event_id", schema="analytics")
    op.drop_table("events", schema="analytics")

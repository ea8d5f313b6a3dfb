"""tables from spec

Revision ID: 0037tablesxf
Revises:
Create Date: 2023-02-17 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0037tablesxf'
down_revision = None
branch_labels = None
depends_on = None

SPEC = {
    "tags": [sa.Column("label", sa.String(40), nullable=False)],
    "labels": [sa.Column("text", sa.String(80), nullable=False)],
}


def upgrade():
    for name, columns in SPEC.items():
        op.create_table(name, sa.Column("id", sa.Integer(), primary_key=True), *columns)


def downgrade():
    for name in reversed(list(SPEC)):
        op.drop_table(name)

"""data migration reads rows

Revision ID: 0010dataxmig
Revises:
Create Date: 2023-02-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0010dataxmig'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("invoices", sa.Column("total_cents", sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, total FROM invoices")).fetchall()
    for row in rows:
        conn.execute(sa.text("UPDATE invoices SET total_cents = :c WHERE id = :i"),
                     {"c": int(row.total * 100), "i": row.id})
    op.drop_column("invoices", "total")


def downgrade():
    raise NotImplementedError("one way")

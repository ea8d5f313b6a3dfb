"""raw sql block

Revision ID: 0009rawxsqlx
Revises:
Create Date: 2023-01-19 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0009rawxsqlx'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE audit_log (id bigserial PRIMARY KEY, payload jsonb NOT NULL);
        CREATE INDEX ix_audit_log_payload ON audit_log USING gin (payload);
        COMMENT ON TABLE audit_log IS 'append only';
    """)


def downgrade():
    op.execute("DROP TABLE audit_log")

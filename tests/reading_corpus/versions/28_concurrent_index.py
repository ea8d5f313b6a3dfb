"""concurrent index

Revision ID: 0028concurre
Revises:
Create Date: 2023-02-18 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0028concurre'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_events_created_at", "events", ["created_at"],
                        postgresql_concurrently=True, postgresql_where=sa.text("archived = false"))


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_events_created_at", table_name="events", postgresql_concurrently=True)

"""a helper function and a renamed type live only inside the revision

Revision ID: ds105_near_created_here
Revises: alpha_base
"""
# near-miss: DS105
from alembic import op
import sqlalchemy as sa

revision = 'ds105_near_created_here'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE FUNCTION pg_temp.normalize_email(text) RETURNS text "
               "AS $$ SELECT lower(trim($1)) $$ LANGUAGE sql")
    op.execute("UPDATE accounts SET email = pg_temp.normalize_email(email) WHERE id < 5000")
    op.execute("DROP FUNCTION pg_temp.normalize_email(text)")
    op.execute("ALTER TYPE session_kind RENAME TO session_kind_old")
    op.execute("CREATE TYPE session_kind AS ENUM ('web', 'api')")
    op.execute("DROP TYPE session_kind_old")


def downgrade() -> None:
    raise NotImplementedError("irreversible")

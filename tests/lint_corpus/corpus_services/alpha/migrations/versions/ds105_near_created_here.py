"""a helper function and a renamed type live only inside the revision; a type left behind

Revision ID: ds105_near_created_here
Revises: alpha_base
"""
# near-miss: DS105
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

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
    # enums stored as strings from now on: the column moves off the type, then it goes
    op.alter_column("accounts", "status", type_=sa.String(length=16),  # <- PG405
                    existing_type=postgresql.ENUM("active", "closed", name="account_state"),
                    postgresql_using="status::text")
    sa.Enum("active", "closed", name="account_state").drop(op.get_bind(), checkfirst=False)
    # ids become UUIDs: the SERIAL default goes, and with it the sequence
    op.alter_column("legacy_notes", "id", type_=sa.String(length=36),  # <- PG405, BC304
                    existing_type=sa.Integer(), server_default=None)
    op.execute(sa.schema.DropSequence(sa.schema.Sequence("legacy_notes_id_seq")))


def downgrade() -> None:
    raise NotImplementedError("irreversible")

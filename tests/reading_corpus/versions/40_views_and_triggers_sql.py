"""views and triggers sql

Revision ID: 0040viewsxan
Revises:
Create Date: 2023-05-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0040viewsxan'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE VIEW active_users AS SELECT * FROM users WHERE active")
    op.execute("""
        CREATE FUNCTION touch() RETURNS trigger AS $$
        BEGIN NEW.updated_at = now(); RETURN NEW; END;
        $$ LANGUAGE plpgsql;
    """)
    op.execute("CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()")


def downgrade():
    op.execute("DROP TRIGGER users_touch ON users")
    op.execute("DROP FUNCTION touch()")
    op.execute("DROP VIEW active_users")

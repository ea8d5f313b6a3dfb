"""helper kwargs

Revision ID: 0044helperxk
Revises:
Create Date: 2023-09-14 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0044helperxk'
down_revision = None
branch_labels = None
depends_on = None


def add_fk(source, target, column=None):
    column = column or f"{target[:-1]}_id"
    op.add_column(source, sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(f"fk_{source}_{column}_{target}", source, target, [column], ["id"])


def upgrade():
    add_fk("comments", "posts")
    add_fk("comments", "users", column="author_id")


def downgrade():
    op.drop_constraint("fk_comments_author_id_users", "comments", type_="foreignkey")
    op.drop_column("comments", "author_id")
    op.drop_constraint("fk_comments_post_id_posts", "comments", type_="foreignkey")
    op.drop_column("comments", "post_id")

"""foreign keys to tables created further down

Revision ID: pf504_foreign_key_first
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pf504_foreign_key_first'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(  # <- PF504
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["team_leads.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.add_column("accounts", sa.Column("project_id", sa.Integer(), nullable=True))
    op.create_foreign_key(  # <- PF504, PG403
        "fk_accounts_project_id_projects", "accounts", "projects", ["project_id"], ["id"]
    )
    op.create_table("team_leads", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("projects", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_constraint("fk_accounts_project_id_projects", "accounts", type_="foreignkey")
    op.drop_column("accounts", "project_id")
    op.drop_table("projects")
    op.drop_table("team_leads")
    op.drop_table("teams")

"""a foreign key with use_alter is added after both tables exist

Revision ID: pf504_near_use_alter
Revises: alpha_base
"""
# near-miss: PF504
from alembic import op
import sqlalchemy as sa

revision = 'pf504_near_use_alter'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("deputy_id", sa.Integer(),
                  sa.ForeignKey("team_leads.id", use_alter=True, name="fk_teams_deputy"),
                  nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["team_leads.id"], name="fk_teams_lead_id",
                                use_alter=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    op.create_table(
        "team_leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_team_leads_team_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_leads")),
    )
    op.create_foreign_key("fk_teams_lead_id", "teams", "team_leads", ["lead_id"], ["id"])


def downgrade() -> None:
    op.drop_constraint("fk_teams_lead_id", "teams", type_="foreignkey")
    op.drop_table("team_leads")
    op.drop_table("teams")

"""imports a column type and an enum from the models package

Revision ID: pf501_near_column_type
Revises: alpha_base
"""
# near-miss: PF501
from alembic import op
import sqlalchemy as sa
from corpus_services.alpha.models.types import AccountStatus, Money

revision = 'pf501_near_column_type'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("credit", Money(), nullable=True))
    op.add_column("accounts", sa.Column(
        "state", sa.Enum(AccountStatus, name="account_state", native_enum=False), nullable=True))


def downgrade() -> None:
    op.drop_column("accounts", "state")
    op.drop_column("accounts", "credit")

"""a revision importing the application's models package, which is not importable here

Revision ID: ln903_near_app_models
Revises: alpha_base
"""
# near-miss: PF501
from alembic import op
import sqlalchemy as sa
from corpus_app.models.types import EncryptedText  # <- LN903

revision = 'ln903_near_app_models'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("secret", EncryptedText(), nullable=True))


def downgrade() -> None:
    op.drop_column("accounts", "secret")

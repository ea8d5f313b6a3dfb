"""custom registered op

Revision ID: 0064customxr
Revises:
Create Date: 2023-02-14 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0064customxr'
down_revision = None
branch_labels = None
depends_on = None

from alembic.operations import Operations, MigrateOperation


@Operations.register_operation("create_sequence_for_corpus")
class CreateSequenceOp(MigrateOperation):
    def __init__(self, name):
        self.name = name

    @classmethod
    def create_sequence_for_corpus(cls, operations, name):
        return operations.invoke(cls(name))


@Operations.implementation_for(CreateSequenceOp)
def _create_sequence(operations, operation):
    operations.execute(f"CREATE SEQUENCE {operation.name}")


def upgrade():
    op.create_sequence_for_corpus("invoice_numbers")


def downgrade():
    op.execute("DROP SEQUENCE invoice_numbers")

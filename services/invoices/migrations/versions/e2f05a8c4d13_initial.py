"""initial

Revision ID: e2f05a8c4d13
Revises:
Create Date: 2025-01-06 09:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import shared_db.types

# revision identifiers, used by Alembic.
revision: str = "e2f05a8c4d13"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None
requires: list[str] = ["orders:b7e3d90f1c56"]
# other services' revisions this one needs, as "service:revision"

# The reference rows seeded below; declared here, never imported from the models, so this
# revision keeps working whatever the models become.
invoice_statuses = sa.table(
    "invoice_statuses",
    sa.column("code", sa.String),
    sa.column("label", sa.String),
    sa.column("sort_order", sa.Integer),
)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "invoice_statuses",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tenant_id", shared_db.types.TenantId(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_invoice_statuses")),
    )
    op.create_index(
        op.f("ix_invoice_statuses_tenant_id"), "invoice_statuses", ["tenant_id"], unique=False
    )
    op.bulk_insert(
        invoice_statuses,
        [
            {"code": "DRAFT", "label": "Draft", "sort_order": 1},
            {"code": "SENT", "label": "Sent", "sort_order": 2},
            {"code": "PAID", "label": "Paid", "sort_order": 3},
            {"code": "VOID", "label": "Voided", "sort_order": 4},
            {"code": "REFUND", "label": "Refunded", "sort_order": 5},
        ],
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", shared_db.types.TenantId(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("status_code", sa.String(length=8), server_default="DRAFT", nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("amount_due", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("amount_paid", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint("amount_due >= 0", name=op.f("ck_invoices_amount_due_non_negative")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_invoices_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["status_code"],
            ["invoice_statuses.code"],
            name=op.f("fk_invoices_status_code_invoice_statuses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    op.create_index(op.f("ix_invoices_order_id"), "invoices", ["order_id"], unique=False)
    op.create_index(op.f("ix_invoices_status_code"), "invoices", ["status_code"], unique=False)
    op.create_index(op.f("ix_invoices_tenant_id"), "invoices", ["tenant_id"], unique=False)
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", shared_db.types.TenantId(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_invoice_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    op.create_index(
        op.f("ix_invoice_lines_invoice_id"), "invoice_lines", ["invoice_id"], unique=False
    )
    op.create_index(
        op.f("ix_invoice_lines_tenant_id"), "invoice_lines", ["tenant_id"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("invoice_lines")
    op.drop_table("invoices")
    op.drop_table("invoice_statuses")

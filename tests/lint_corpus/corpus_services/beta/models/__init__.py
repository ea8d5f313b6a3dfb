import sqlalchemy as sa

from corpus_services import make_metadata

metadata = make_metadata()

# a stub of alpha's table, so the foreign key resolves; beta owns only `payments`
accounts = sa.Table("accounts", metadata, sa.Column("id", sa.Integer, primary_key=True))

payments = sa.Table(
    "payments", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("amount", sa.Numeric(12, 2), nullable=False),
)

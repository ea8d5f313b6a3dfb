import sqlalchemy as sa

from corpus_services import make_metadata

metadata = make_metadata()

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("name", sa.String(100), nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("legacy_code", sa.String(20), nullable=True),
    sa.Column("balance", sa.Numeric(12, 2), nullable=False, server_default="0"),
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False,
              index=True),
    sa.Column("token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
)

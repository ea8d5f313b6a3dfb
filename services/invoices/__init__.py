"""The invoices service: invoices issued for orders, their lines and statuses."""

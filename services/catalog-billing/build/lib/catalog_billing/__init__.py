"""catalog_billing: products, carts, checkout, invoices, credit bank (built by a later issue)."""

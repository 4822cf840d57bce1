"""metrics: views, clicks, shares and dashboards (built by a later issue)."""

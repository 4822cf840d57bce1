"""company_portal: companies, groups, memberships and roles (built by a later issue)."""

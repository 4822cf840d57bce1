"""Pure Python: the queue item, its rules, company data validation and business days."""

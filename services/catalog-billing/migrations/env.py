from catalog_billing.adapters.orm import metadata
from plumbing.migrations import run_env

run_env(metadata)

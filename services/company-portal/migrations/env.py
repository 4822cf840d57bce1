from company_portal.adapters.orm import metadata
from plumbing.migrations import run_env

run_env(metadata)

from services.analytics.models import Base
from shared.db import infra_metadata
from shared.migrations import run_env

run_env([Base.metadata, infra_metadata])

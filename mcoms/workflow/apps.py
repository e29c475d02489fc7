from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WorkflowConfig(AppConfig):
    name = "mcoms.workflow"
    label = "workflow"
    verbose_name = "Workflow"

    def ready(self) -> None:
        # Each domain app that uses the approval chain registers its request
        # kinds in a ``workflow_kinds`` module (see kinds.py).
        autodiscover_modules("workflow_kinds")

"""Release trains: a manifest of targets across services, run in order, recorded, resumable.

``manifest`` reads ``trains/<name>.toml``; ``plan`` orders its steps; ``run`` applies them under
the one-runner lock, recording each in the ledger (``runtime.ledger``); ``status`` reads it back;
``resolve`` records a person's word on a step left partly applied.
``fleets`` runs a train over many databases.
"""
from orchestrator.trains.plan import TrainPlan, plan_train
from orchestrator.trains.resolve import Resolution, resolve_train
from orchestrator.trains.run import TrainRun, run_train
from orchestrator.trains.status import TrainStatus, train_status

__all__ = ["Resolution", "TrainPlan", "TrainRun", "TrainStatus", "plan_train", "resolve_train",
           "run_train", "train_status"]

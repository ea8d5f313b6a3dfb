from orchestrator.cli.process import run_process

run_process()

from orchestrator.envrunner import run_env

run_env()

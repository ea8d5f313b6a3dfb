from support import orchestrate


def test_plan_then_upgrade_then_plan_at_head(example, db):
    first = orchestrate(example, "plan", "--json", url=db.url)
    assert first.exit_code == 0, first.stderr
    up = orchestrate(example, "upgrade", url=db.url)
    assert up.exit_code == 0, up.stderr
    assert db.version("orders") == ["b7e3d90f1c56"]

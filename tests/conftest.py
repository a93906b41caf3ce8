import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own ledger directory; nothing touches the real one."""
    home = tmp_path / "mlsyslabs-home"
    monkeypatch.setenv("MLSYSLABS_HOME", str(home))
    return home

"""The demo seeder trains on the demo history, switches the model on, and runs only once."""

from pathlib import Path

from civicgrid.classifier.demo import seed_demo
from civicgrid.classifier.models import ClassifierVersion
from civicgrid.classifier.tests.history_data import make_history
from civicgrid.requests.tests.conftest import Hotline


def test_seed_demo_trains_and_activates_once(hotline: Hotline, model_dir: Path) -> None:
    make_history(hotline, per_category=6)
    said: list[str] = []
    seed_demo(seed=1, out=said.append)
    version = ClassifierVersion.objects.get()
    assert version.is_active and version.rows == 30
    seed_demo(seed=1, out=said.append)
    assert ClassifierVersion.objects.count() == 1
    assert "跳过" in said[-1]


def test_seed_demo_without_history_says_why(hotline: Hotline, model_dir: Path) -> None:
    said: list[str] = []
    seed_demo(seed=1, out=said.append)
    assert not ClassifierVersion.objects.exists() and "太少" in said[0]

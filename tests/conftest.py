"""Shared fixtures. Qt runs offscreen; set before anything imports Qt."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The seat's private files (operator_app/private_files.py: seat identities, database key files, the secrets file)
# of test seats go to a throwaway folder of this run, never the user's config folder.
if "OPERATOR_APP_PRIVATE_DIR" not in os.environ:
    os.environ["OPERATOR_APP_PRIVATE_DIR"] = tempfile.mkdtemp(prefix="operator-desk-test-private-")
    atexit.register(shutil.rmtree, os.environ["OPERATOR_APP_PRIVATE_DIR"], True)
# No OS keyring in tests, whatever the machine has (tests that need one install theirs with monkeypatch), so
# that no test writes into a real keyring and a test module defining a KeyringBackend subclass (keyring offers
# every subclass) cannot become the keyring of the whole run, out of reach of the subprocesses tests start.
# Database keys then go to key files, in the private folder above.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
# No desk of a test listens for calls on the real CTI port (ui/calls/screen_pop.py): runs in parallel would fight
# over it, and a call simulated on this machine must not pop a test's desk. The screen pop's tests ask for port 0.
os.environ.setdefault("OPERATOR_APP_CTI_PORT", "off")
# The sentence encoder (semantic/) is off unless a test asks for it (the `encoder` fixture): an embedded server
# would otherwise embed its demo articles and cases in the background of every test that starts one.
os.environ["OPERATOR_DESK_ENCODER"] = "off"

import pytest

from contract.city.loader import load_city
from contract.city.model import City
from operator_app.paths import resources_dir
from operator_app.seat import Seat, open_seat
from operator_app.store.database import DB_FILE
from operator_app.store.keys import KEY_REF_FILE

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def city() -> City:
    return load_city(resources_dir())


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store migrated once per test session; copying it saves ~0.4 s per test."""
    from operator_app.store.migrate import upgrade_to_head

    path = tmp_path_factory.mktemp("template") / DB_FILE
    upgrade_to_head(path, None)
    return path


def fresh_seat_dir(migrated_db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_db, folder / DB_FILE)
    shutil.copyfile(migrated_db.parent / KEY_REF_FILE, folder / KEY_REF_FILE)  # the same seat key, as a copy would
    return folder


@pytest.fixture
def seat(tmp_path: Path, migrated_db: Path) -> Iterator[Seat]:
    s = open_seat(fresh_seat_dir(migrated_db, tmp_path / "seat"))
    yield s
    s.close()


@pytest.fixture
def encoder(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The real sentence encoder, switched on for this test (one thread); skips where it cannot run."""
    from semantic import availability, load_encoder

    monkeypatch.setenv("OPERATOR_DESK_ENCODER", "on")
    state = availability()
    if not state.available:
        pytest.skip(f"the sentence encoder cannot run here: {state.reason}")
    loaded = load_encoder(1)
    assert loaded is not None, "availability() said yes but the encoder did not load"
    return loaded


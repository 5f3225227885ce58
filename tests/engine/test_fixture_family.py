"""A family the engine has never seen, added as data alone: one YAML file and one template, no Python.

``tests/data/fixture_family`` holds ``repeat_rate`` (of the people who did an event, what share did it more than once). The engine loads it
beside the shipped catalog, recognizes its questions, fills its slots by their roles, renders its template and
answers on the demo data with the number a hand-written query gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from askhog.backends.embedded import EmbeddedBackend
from askhog.catalog import Catalog
from askhog.demo.generate import generate_demo
from askhog.demo.store import Store
from askhog.engine import Engine
from askhog.errors import CatalogError

FIXTURE = Path(__file__).parent.parent / "data" / "fixture_family"
END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    home = tmp_path_factory.mktemp("fixture-family")
    generate_demo(30_000, seed=3, home=home, end=END, progress=None)
    yield Engine(
        EmbeddedBackend(home, generate=False),
        catalog=Catalog.load(extra=FIXTURE),
        clock=lambda: END,
        cache_dir=str(home),
    )
    Store.release()


def test_the_new_family_is_recognized_filled_by_roles_and_answered_on_data(engine: Engine) -> None:
    answer = engine.ask("what is the repeat rate for uploads in october, chrome users only?")
    assert answer.intent == "repeat_rate" and answer.clarification is None
    meaning = answer.meaning
    assert meaning.primary.event.name == "file_uploaded"
    assert [(f.prop.name, f.value) for f in meaning.filters] == [("$browser", "Chrome")]
    assert (meaning.date_range.start, meaning.date_range.end) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2026, 11, 1, tzinfo=UTC),
    )
    assert meaning.describe().startswith(
        "people who did file_uploaded more than once, as a share of all who did it, where $browser is Chrome"
    )
    assert not answer.caveats
    (row,) = answer.run().records()
    truth = engine.backend.run_sql(
        "SELECT count(), countIf(n > 1) FROM (SELECT person_id, count() AS n FROM events WHERE event = 'file_uploaded' "
        "AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01' AND JSONExtractString(properties, '$browser') = "
        "'Chrome' GROUP BY person_id)"
    ).rows[0]
    assert (row["users"], row["repeaters"]) == truth and 0 < truth[1] < truth[0]


def test_the_shipped_families_are_unchanged_beside_it(engine: Engine) -> None:
    assert engine.ask("how many signups last week?").intent == "count"
    assert list(engine.catalog.intents)[-1] == "repeat_rate"


def test_a_broken_added_family_is_named_by_file_and_line(tmp_path: Path) -> None:
    text = (FIXTURE / "repeat_rate.yaml").read_text().replace("role: series.event", "role: series.colour")
    (tmp_path / "repeat_rate.yaml").write_text(text)
    with pytest.raises(CatalogError) as err:
        Catalog.load(extra=tmp_path)
    assert err.value.path == f"{tmp_path}/repeat_rate.yaml" and err.value.line == 6

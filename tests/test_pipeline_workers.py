"""The process pool of ``extract_paths``: forked workers use the parent's extractor."""

from __future__ import annotations

import multiprocessing

import pytest

import geo.pipeline as pipeline
from geo.gazetteer import Gazetteer
from geo.pipeline import extract_paths

from .conftest import DEV

pytestmark = pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                                reason="workers share the parent's extractor only when forked")


def _events(items) -> list[tuple[str, list[dict]]]:
    return [(item.path.name, [ev.to_properties() for ev in item.events]) for item in items]


def test_forked_workers_share_the_parents_extractor(settings, extractor, monkeypatch):
    files = sorted(DEV.glob("articles/*.txt"))
    one = _events(extract_paths(files, settings, extractor=extractor))

    def no_load(*_args, **_kwargs):
        raise AssertionError("a worker loaded the gazetteer again")

    # forked workers inherit the patch: loading there would fail the pool
    monkeypatch.setattr(pipeline, "load_extractor", no_load)
    monkeypatch.setattr(Gazetteer, "load", no_load)
    two = _events(extract_paths(files, settings, workers=2, extractor=extractor))
    assert two == one and any(events for _, events in one)


def test_without_an_extractor_the_parent_loads_it_once(settings, monkeypatch):
    files = sorted(DEV.glob("articles/*.txt"))[:4]
    loads: list[int] = []
    real = pipeline.load_extractor

    def counted(s):
        loads.append(1)
        return real(s)

    monkeypatch.setattr(pipeline, "load_extractor", counted)
    items = list(extract_paths(files, settings, workers=2))
    assert [i.path for i in items] == files and all(i.error is None for i in items)
    assert len(loads) == 1  # in the parent: a worker's count would not reach this list

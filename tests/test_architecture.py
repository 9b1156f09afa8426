"""The layers hold as a graph: no module of bot/ or flows/ takes part in an import cycle.

The layer order itself is import-linter's contract in pyproject.toml, run by ./run-tests.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import grimp


def import_cycle(graph: grimp.ImportGraph) -> list[str] | None:
    """One cycle of imports, as the modules along it, or None when there is none."""
    order = TopologicalSorter(
        {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    )
    try:
        order.prepare()
    except CycleError as error:
        return list(error.args[1])
    return None


def test_no_module_of_the_project_is_in_an_import_cycle():
    # Type-only imports count too: a cycle through them still knots the layers.
    graph = grimp.build_graph("flows", "bot", include_external_packages=False)
    assert import_cycle(graph) is None


def test_a_cycle_is_found_when_there_is_one():
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.y", imported="a.z")
    assert set(import_cycle(graph) or ()) == {"a.x", "a.y"}

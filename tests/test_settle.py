"""An executed notebook is settled: what papermill records about one run (clock times, paths, a random cell id)
is made independent of the run, and nothing the notebook computed is touched."""

import json

from reviewkit.pipeline.runner import INJECTED_CELL_ID, settle


def _cell(cell_id, source, tags=(), **meta):
    return {
        "cell_type": "code",
        "execution_count": 1,
        "id": cell_id,
        "metadata": {"tags": list(tags), **meta},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": ["42\n"]}],
        "source": source,
    }


def _executed(tmp_path, cells, input_path):
    clock = {"duration": 0.5, "end_time": "2026-12-06T19:26:12+00:00", "start_time": "2026-12-06T19:26:11+00:00"}
    nb = {
        "cells": cells,
        "metadata": {
            "papermill": {**clock, "input_path": input_path, "output_path": str(tmp_path / "work-123/s.ipynb")},
            "kernelspec": {"name": "python3"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for cell in cells:
        cell["metadata"]["papermill"] = {**clock, "exception": False, "status": "completed"}
        cell["metadata"]["execution"] = {"iopub.status.idle": "2026-12-06T19:26:12.361946Z"}
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False), "utf-8")
    return path


def test_clock_times_paths_and_the_injected_id_are_settled(tmp_path):
    root = tmp_path / "review"
    cells = [_cell("cell-0", "x = 1", ["parameters"]), _cell("4e6d98f4", "x = 2", ["injected-parameters"])]
    path = _executed(tmp_path, cells, str(root / "notebooks" / "s.ipynb"))
    settle(path, str(root))
    nb = json.loads(path.read_text("utf-8"))
    run = nb["metadata"]["papermill"]
    assert (run["start_time"], run["end_time"], run["duration"]) == (None, None, None)
    assert run["input_path"] == "notebooks/s.ipynb" and run["output_path"] == "s.ipynb"
    assert [c["id"] for c in nb["cells"]] == ["cell-0", INJECTED_CELL_ID]
    for cell in nb["cells"]:
        assert "execution" not in cell["metadata"]
        assert cell["metadata"]["papermill"] == {
            "duration": None,
            "end_time": None,
            "exception": False,
            "start_time": None,
            "status": "completed",
        }
        assert cell["outputs"] == [{"name": "stdout", "output_type": "stream", "text": ["42\n"]}]  # results kept


def test_an_authors_cell_keeps_its_id_and_ids_stay_unique(tmp_path):
    cells = [
        _cell(INJECTED_CELL_ID, "x = 1", ["parameters"]),
        _cell(f"{INJECTED_CELL_ID}-2", "y = 1"),
        _cell("0a1b2c3d", "x = 2", ["injected-parameters"]),
    ]
    path = _executed(tmp_path, cells, "/elsewhere/s.ipynb")
    settle(path, str(tmp_path / "review"))
    nb = json.loads(path.read_text("utf-8"))
    assert [c["id"] for c in nb["cells"]] == [INJECTED_CELL_ID, f"{INJECTED_CELL_ID}-2", f"{INJECTED_CELL_ID}-3"]
    assert nb["metadata"]["papermill"]["input_path"] == "/elsewhere/s.ipynb"  # outside the project: kept as it was


def test_settling_twice_changes_nothing_and_keeps_papermills_formatting(tmp_path):
    path = _executed(tmp_path, [_cell("ab12", "x = 2", ["injected-parameters"])], str(tmp_path / "n.ipynb"))
    settle(path, str(tmp_path))
    once = path.read_bytes()
    settle(path, str(tmp_path))
    assert path.read_bytes() == once
    assert once.startswith(b'{\n "cells": [\n  {\n') and not once.endswith(b"\n")  # nbformat's indent=1, no newline

"""The benchmark generator makes solutions lambda-split reads as intended: a hazard `check` reports (exit 1), a
migration `--dry-run` previews (exit 0), and after `migrate` no hazard is left. Correctness only: nothing is timed."""

from __future__ import annotations

import sys

import pytest

from support import BENCHMARKS, run_cli

sys.path.insert(0, str(BENCHMARKS))

from generate import generate  # noqa: E402


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_generated_solution_has_a_hazard_check_reports_and_migrate_previews(tmp_path, fmt):
    summary = generate(tmp_path / "solution", functions=12, files=80, fmt=fmt)
    assert summary.cs_files == 80 == len(list((tmp_path / "solution").rglob("*.cs")))
    assert summary.mixed_projects >= 1 and summary.arm64_functions > 0

    code, out, err = run_cli("check", tmp_path / "solution")
    assert code == 1, out + err
    assert f"{summary.mixed_projects} build unit" in out

    code, patch, err = run_cli("migrate", "--dry-run", tmp_path / "solution")
    assert code == 0, err
    assert patch.startswith("diff --git") and "Files (dry run, nothing written):" in err


def test_migrated_generated_solution_has_no_hazard_left(tmp_path):
    generate(tmp_path / "solution", functions=20, files=120, fmt="yaml", seed=3)
    code, _, err = run_cli("migrate", tmp_path / "solution")
    assert code == 0, err
    code, out, err = run_cli("check", tmp_path / "solution")
    assert code == 0, out + err


def test_generated_solution_has_the_requested_shape(tmp_path):
    summary = generate(tmp_path / "solution", functions=400, files=1000, fmt="json")
    sources = list((tmp_path / "solution").rglob("*.cs"))
    assert summary.cs_files == len(sources) == 1000
    assert abs(summary.arm64_functions - 200) <= 6                        # half arm64, to a project's size
    assert 40 <= summary.projects <= 100 and 1 < summary.mixed_projects < summary.projects / 4
    assert summary.templates > 1
    lines = [path.read_text().count("\n") for path in sources]
    assert sum(30 <= n <= 150 for n in lines) >= 0.8 * len(lines)           # realistic sizes, a few small files


def test_generator_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").write_text("keep me")
    with pytest.raises(ValueError):
        generate(tmp_path, functions=4, files=20)
    assert (tmp_path / "x").read_text() == "keep me"

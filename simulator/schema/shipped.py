"""The files shipped with the package: rule sets, scenarios, their targets, case studies, the benchmark network.

They are package data (`simulator/data/`, installed with the wheel), found through `importlib.resources`, so an
installed `sendsim` runs `sendsim run small_la` or `sendsim case-study sam_autistic_mainstream_specialist` from any
folder. In the repository, `scenarios/`, `case_studies/` and `benchmarks/reference_network.yaml` are links to the
same files, so the paths users and checks rely on stay valid. Files a user generates never go here.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

KINDS = {"scenarios": ("scenarios",), "rules": ("scenarios", "rules"), "targets": ("scenarios", "targets"),
         "sweeps": ("scenarios", "sweeps"),
         "case_studies": ("case_studies",), "benchmarks": ("benchmarks",)}


def data_root() -> Path:
    """The folder of the shipped files (a real folder: the package is installed as files, not zipped)."""
    return Path(str(files("simulator") / "data"))


def shipped_dir(kind: str) -> Path:
    """The folder of one kind of shipped file (`scenarios`, `rules`, `targets`, `case_studies`, `benchmarks`)."""
    return data_root().joinpath(*KINDS[kind])


def shipped_names(kind: str) -> list[str]:
    """The names (file stems) of the shipped files of a kind, sorted."""
    d = shipped_dir(kind)
    return sorted(p.stem for p in d.glob("*.yaml")) if d.is_dir() else []


def locate(arg: str | Path, kind: str) -> Path:
    """A file the user named: the path itself if it exists, else the shipped file of that name (`small_la`,
    `small_la.yaml`), else the path as given (so the error says the file the user typed was not found)."""
    p = Path(arg)
    if p.exists() or len(p.parts) != 1:
        return p
    cand = shipped_dir(kind) / (p.name if p.suffix in (".yaml", ".yml") else f"{p.name}.yaml")
    return cand if cand.is_file() else p

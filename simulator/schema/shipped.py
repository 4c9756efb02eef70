"""The files shipped with the package: rule sets, scenarios, their targets, case studies, the benchmark network.

They are package data (`simulator/data/`, installed with the wheel), found through `importlib.resources`, so an
installed `sendsim` runs `sendsim run small_la` or `sendsim case-study sam_autistic_mainstream_specialist` from any
folder. In the repository, `scenarios/`, `case_studies/` and `benchmarks/reference_network.yaml` are links to the
same files, so the paths users and checks rely on stay valid. Files a user generates never go here.
"""

from __future__ import annotations

import difflib
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


def not_found(arg: str | Path, kind: str) -> str:
    """`FILE: file not found` with the closest shipped name, so a typo of a shipped name is caught; a shipped file of
    another kind named exactly is said as such."""
    return f"{arg}: file not found{another_kind(arg, kind) or closest(Path(arg).stem, shipped_names(kind))}"


# how each kind of shipped file is used (the files beside the scenarios that are not scenarios are left out)
USE = {"scenarios": "a scenario (sendsim run {})", "rules": "a rule set (--rules {})",
       "sweeps": "a sweep (sendsim batch {})", "case_studies": "a case study (sendsim case-study {})",
       "benchmarks": "a benchmark network (sendsim bench {})"}
NOT_SCENARIOS = ("plan_transfers", "national_behaviour")


def another_kind(arg: str | Path, kind: str | None = None) -> str:
    """' (NAME is a scenario (sendsim run NAME), not a file this command reads)' when a bare name is exactly a shipped
    file of another kind than `kind`, else ''. Why (fifth held-out round): `sendsim batch small_la` said "small_la:
    file not found (did you mean small_la or ...?)", suggesting the name typed, and `case-study small_la` said only
    "file not found"."""
    p = Path(str(arg))
    if len(p.parts) != 1 or p.suffix not in ("", ".yaml", ".yml"):
        return ""
    for k, use in USE.items():
        if k != kind and p.stem in shipped_names(k) and not (k == "scenarios" and p.stem in NOT_SCENARIOS):
            return f" ({p.stem} is {use.format(p.stem)}, not a file this command reads)"
    return ""


def closest(name: str, names: list[str]) -> str:
    """' (did you mean X?)' naming the closest of `names`, or '' (difflib, as for every name a user types)."""
    close = difflib.get_close_matches(name, names, n=2, cutoff=0.6)
    key = name.lower()
    close += [n for n in names if key and key in n.lower() and n not in close][:2]
    if len(key) >= 3:  # an abbreviation: Lincs for Lincolnshire
        close += [n for n in names if n.lower().startswith(key[:4]) and n not in close][:2]
    return f" (did you mean {' or '.join(close[:3])}?)" if close else ""

"""Mutation testing of the pure core: how many of each module's mutants its own unit tests kill.

    uv run python benchmarks/mutation.py              # a fresh run (several minutes), then the table
    uv run python benchmarks/mutation.py --report     # the table of the last run, without running again
    uv run python benchmarks/mutation.py --survivors  # also list every surviving mutant

mutmut 3 (configured in pyproject.toml's ``[tool.mutmut]``) copies the package into ``mutants/``,
mutates the pure modules (flipped comparisons, changed constants and strings, swapped ``and``/``or``,
dropped arguments, ``None`` for results, ...) and runs, for each mutant, the unit tests that call
the mutated function; ``benchmarks/mutation_scope.py`` keeps those to the test files
``[tool.socketlab.mutation]`` names as the module's own. A mutant is killed when a test fails (or
it hangs past mutmut's time limit); it survives when every test passes, or when no test of the
module calls it. ``uv run mutmut show NAME`` shows a mutant's diff. The run is on demand, not in CI.

Exits 1 when a module kills fewer than ``GOAL`` of its mutants.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.90
# mutmut's verdicts (mutmut.stats.status_by_exit_code) as killed or not
KILLED = {"killed", "timeout", "segfault", "caught by type check"}


@dataclass(frozen=True)
class Figures:
    """One module's mutants and their fate."""

    module: str
    killed: list[str]
    survived: list[str]

    @property
    def mutants(self) -> int:
        return len(self.killed) + len(self.survived)

    @property
    def rate(self) -> float:
        return len(self.killed) / self.mutants if self.mutants else 1.0


def modules() -> list[str]:
    """The mutated modules, in pyproject.toml's order."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    names: list[str] = config["tool"]["mutmut"]["only_mutate"]
    return names


def figures(module: str) -> Figures:
    """A module's verdicts, from the record mutmut keeps beside its mutated copy."""
    from mutmut.stats import status_by_exit_code

    meta = ROOT / "mutants" / f"{module}.meta"
    if not meta.exists():
        raise SystemExit(f"no results for {module} in mutants/: run without --report first")
    codes: dict[str, int | None] = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    statuses = {name: status_by_exit_code[code] for name, code in codes.items()}
    unfinished = sorted(name for name, status in statuses.items() if status == "not checked")
    if unfinished:
        raise SystemExit(f"{module}: {len(unfinished)} mutants were not checked (an interrupted run?)")
    killed = sorted(name for name, status in statuses.items() if status in KILLED)
    survived = sorted(name for name, status in statuses.items() if status not in KILLED)
    return Figures(module, killed, survived)


def run() -> None:
    """A fresh mutmut run (stale mutants and verdicts of an earlier run removed first)."""
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    mutmut = Path(sys.executable).with_name("mutmut")
    done = subprocess.run([str(mutmut), "run"], cwd=ROOT, check=False)
    if done.returncode:
        raise SystemExit(f"mutmut run failed (exit {done.returncode})")


def table(rows: list[Figures]) -> str:
    lines = ["| module | mutants | killed | survived | kill rate |", "|---|---|---|---|---|"]
    for f in rows:
        lines.append(f"| `{f.module}` | {f.mutants} | {len(f.killed)} | {len(f.survived)} | {f.rate:.1%} |")
    total = sum(f.mutants for f in rows)
    killed = sum(len(f.killed) for f in rows)
    lines.append(f"| all | {total} | {killed} | {total - killed} | {killed / total:.1%} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--report", action="store_true", help="print the last run's table; do not run")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    args = parser.parse_args(argv)
    if not args.report:
        run()
    rows = [figures(module) for module in modules()]
    print(table(rows))
    if args.survivors:
        for f in rows:
            for name in f.survived:
                print(name)
    status = Counter(f.rate >= GOAL for f in rows)
    below = [f.module for f in rows if f.rate < GOAL]
    if below:
        print(f"below the goal of {GOAL:.0%}: {', '.join(below)}")
        return 1
    print(f"every module kills at least {GOAL:.0%} of its mutants ({status[True]} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Per exercise: checks (public/hidden), points, catalogued mistakes, corpus mutants (named/none), alternatives.

Static counts; tests/test_corpus.py proves every mutant is caught and every named one is named.

    python benchmarks/kit_stats.py
"""

from __future__ import annotations

import importlib
from pathlib import Path

from grader.catalog import metadata
from grader.grading.checking import spec_of

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"


def mistake_header(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# mistake:"):
            return line.split(":", 1)[1].strip()
    return "none"


def main() -> None:
    catalog = metadata.load()
    print(f"{'exercise':<26} {'checks':>6} {'pub':>4} {'hid':>4} {'points':>6} {'mistakes':>8} "
          f"{'mutants':>7} {'named':>5} {'alts':>4}")
    totals = [0] * 8
    for exercise in catalog.exercises:
        module = importlib.import_module(f"grader.curriculum.{exercise.id}.checks")
        specs = [spec_of(f) for f in vars(module).values() if callable(f) and spec_of(f)]
        mutants = sorted((CORPUS / "mutants" / exercise.id).glob("*.py"))
        named = sum(mistake_header(m) != "none" for m in mutants)
        alternatives = len(list((CORPUS / "alternatives" / exercise.id).glob("*.py")))
        row = [len(specs), sum(s.visibility == "public" for s in specs), sum(s.visibility == "hidden" for s in specs),
               int(exercise.points), len(exercise.mistakes), len(mutants), named, alternatives]
        totals = [a + b for a, b in zip(totals, row)]
        print(f"{exercise.id:<26} {row[0]:>6} {row[1]:>4} {row[2]:>4} {row[3]:>6} {row[4]:>8} {row[5]:>7} {row[6]:>5} {row[7]:>4}")
    print(f"{'total':<26} {totals[0]:>6} {totals[1]:>4} {totals[2]:>4} {totals[3]:>6} {len(catalog.mistakes):>8} "
          f"{totals[5]:>7} {totals[6]:>5} {totals[7]:>4}")
    print(f"hostile corpus: {len(list((CORPUS / 'hostile').glob('*.py')))} modules; "
          f"mistake catalog: {len(catalog.mistakes)} ids")


if __name__ == "__main__":
    main()

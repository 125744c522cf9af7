"""Diagram rendering time, cold (empty cache) and warm (nothing changed).

    python bench/diagrams.py                 # the example framework (specs/) and 500 synthetic diagrams
    python bench/diagrams.py --specs specs   # the example framework only
    python bench/diagrams.py -n 500          # 500 synthetic transaction diagrams only

Synthetic diagrams are real transaction diagrams made by the generator from a model
of N transactions, each between two of 40 actors with 2 to 6 messages. Each run uses
a fresh temporary cache; "cold" includes the one Java start, "warm" is a second render
of the same diagrams (which must start no Java).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.diagrams import model_diagrams, render  # noqa: E402
from generator.diagrams.from_model import transaction_diagram  # noqa: E402
from generator.model import Actor, Domain, Framework, Message, Role, Transaction  # noqa: E402
from generator.problems import Loc  # noqa: E402


def synthetic(n: int) -> list:
    fw = Framework()
    loc = Loc("bench.yaml")
    fw.domains["BEN"] = Domain("BEN", "Bench", "1", "2024-01-01", "trial-implementation", loc)
    for i in range(40):
        fw.actors[f"actor-{i}"] = Actor(f"actor-{i}", f"Bench Actor {i}", "", "BEN", loc)
    out = []
    for k in range(1, n + 1):
        a, b = f"actor-{k % 40}", f"actor-{(k * 7 + 3) % 40}"
        messages = []
        for m in range(2 + k % 5):
            kind = "request" if m % 2 == 0 else "response"
            messages.append(Message(f"Bench {k} Message {m + 1}", kind, loc))
        tx = Transaction(f"BEN-{k}", f"Bench Transaction {k}", "", "BEN", loc,
                         roles=[Role(a, "initiator", "", loc), Role(b, "responder", "", loc)], messages=messages)
        fw.transactions[tx.id] = tx
        out.append(transaction_diagram(fw, tx))
    return out


def measure(name: str, diagrams: list) -> None:
    with tempfile.TemporaryDirectory(prefix="tfpub-bench-") as tmp:
        cache = Path(tmp)
        started = time.perf_counter()
        cold = render(diagrams, cache)
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        warm = render(diagrams, cache)
        warm_s = time.perf_counter() - started
    failed = [d.key for d in diagrams if not d.svg]
    print(
        f"{name}: {len(diagrams)} diagrams | cold {cold_s:.2f} s ({len(diagrams) / cold_s:.0f}/s, "
        f"rendered {cold.rendered}, java starts {cold.java_starts}) | warm {warm_s:.3f} s "
        f"({len(diagrams) / max(warm_s, 1e-9):.0f}/s, rendered {warm.rendered}, cached {warm.cached}, java starts {warm.java_starts})"
        + (f" | NOT RENDERED: {len(failed)}" if failed else "")
    )
    for problem in cold.problems[:5]:
        print(f"  {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=Path, help="a specs folder (default: specs, when no -n is given)")
    parser.add_argument("-n", type=int, help="number of synthetic transaction diagrams (default: 500, when no --specs is given)")
    args = parser.parse_args()
    specs = args.specs or (Path("specs") if args.n is None else None)
    n = args.n if args.n is not None else (500 if args.specs is None else None)
    if specs is not None:
        from generator.validate import validate

        fw = validate(specs).framework
        measure(f"example ({specs})", model_diagrams(fw))
    if n:
        measure(f"synthetic (n={n})", synthetic(n))
    return 0


if __name__ == "__main__":
    sys.exit(main())

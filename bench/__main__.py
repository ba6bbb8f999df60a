"""`python -m bench compare ...` (throughput and latency, side by side with Prism and bare
Starlette), `python -m bench growth ...` (memory and lookup latency as the store grows) or
`python -m bench inprocess ...` (time per request in process, with parts turned off)."""

import sys


def main() -> int:
    command, *rest = sys.argv[1:] or ["--help"]
    if command == "compare":
        from bench.compare import main as compare

        return compare(rest)
    if command == "growth":
        from bench.growth import main as growth

        return growth(rest)
    if command == "inprocess":
        from bench.inprocess import main as inprocess

        return inprocess(rest)
    print(__doc__.strip())
    return 0 if command in ("-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench compare ...` (throughput and latency, side by side with Prism and bare
Starlette) or `python -m bench growth ...` (memory and lookup latency as the store grows)."""

import sys


def main() -> int:
    command, *rest = sys.argv[1:] or ["--help"]
    if command == "compare":
        from bench.compare import main as compare

        return compare(rest)
    if command == "growth":
        from bench.growth import main as growth

        return growth(rest)
    print(__doc__.strip())
    return 0 if command in ("-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main())

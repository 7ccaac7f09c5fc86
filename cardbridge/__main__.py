"""``python -m cardbridge`` runs the command line."""

from cardbridge.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

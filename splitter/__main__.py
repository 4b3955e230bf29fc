"""`python -m splitter`: the same entry point as the `lambda-split` console script."""

from splitter.cli import main

if __name__ == "__main__":
    main()

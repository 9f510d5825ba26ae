"""`python -m redqueen` runs the `redqueen` command line."""
from redqueen.cli import main

main(prog_name="redqueen")

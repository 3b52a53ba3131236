"""Runs the Schemathesis CLI (arguments as for `schemathesis`).

CPython 3.11.7, this machine's, has a bug in `ast.parse`: deep in a call
stack it may raise a spurious SystemError ("AST constructor recursion depth
mismatch"; fixed in later CPythons). Hypothesis parses a module's source
that way to describe the lambdas in Schemathesis's schema walker, and the
run then reports a runtime error for the operation. Parsing those modules
here first, at the top of the stack, into the cache Hypothesis looks in,
means they are never parsed deep down.
"""

import ast
import pathlib
import sys

import schemathesis as package
from hypothesis.internal import lambda_sources
from schemathesis.cli import schemathesis


def warm_lambda_cache():
    """Parses every Schemathesis module that has lambdas, as
    `inspect.findsource` reads it, into a cache that every thread shares
    (Hypothesis's own is per thread, and Schemathesis's workers are
    threads)."""
    shared = {}
    for path in sorted(pathlib.Path(package.__file__).parent.rglob("*.py")):
        lines = tuple(path.read_text(encoding="utf-8").splitlines(keepends=True))
        if any("lambda" in line for line in lines):
            shared[lines] = lambda_sources.extract_all_lambdas(ast.parse("".join(lines)))
    lambda_sources.AST_LAMBDAS_CACHE = shared


if __name__ == "__main__":
    warm_lambda_cache()
    sys.exit(schemathesis())

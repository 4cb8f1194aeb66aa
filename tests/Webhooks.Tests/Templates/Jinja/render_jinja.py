"""Reference renderer for the Jinja2 differential tests.

Renders every case of a corpus file (argv[1]) with the real Jinja2, set up
exactly as NetBox 4.x renders webhook templates, and prints one JSON object
mapping each case name to {"output": text} or {"error": "Class: message"}.
The C# engine must produce identical output for each case, or also fail.

Run with Debian's Jinja2 3.1.2:
    /usr/bin/python3 render_jinja.py jinja-corpus.json > expected.json
"""
import copy
import json
import re
import sys

import jinja2
import jinja2.sandbox


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        corpus = json.load(f)
    env = jinja2.sandbox.SandboxedEnvironment(loader=jinja2.BaseLoader())
    env.filters["header_safe"] = lambda value: re.sub(r"[\x00-\x1f\x7f]", "", str(value))
    result = {}
    for case in corpus["cases"]:
        if case["name"] in result:
            sys.exit(f"duplicate case name: {case['name']}")
        # Fresh copy per case, so that a template mutating its data cannot leak.
        context = copy.deepcopy(corpus["contexts"][case["context"]])
        try:
            output = env.from_string(case["template"]).render(**context)
            result[case["name"]] = {"output": output}
        except Exception as e:
            result[case["name"]] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

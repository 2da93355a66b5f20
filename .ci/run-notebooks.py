#!/usr/bin/env python3
"""Execute every notebook headless with the evcxr (Rust) kernel; fail on any cell error.

Usage: .ci/run-notebooks.py [NOTEBOOK ...]   (default: notebooks/*.ipynb)
Executed copies (with outputs) go to target/notebooks/; the committed notebooks stay as they are.
"""
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

root = pathlib.Path(__file__).resolve().parent.parent
paths = [pathlib.Path(p) for p in sys.argv[1:]] or sorted((root / "notebooks").glob("*.ipynb"))
out_dir = root / "target" / "notebooks"
out_dir.mkdir(parents=True, exist_ok=True)
failed = []
for path in paths:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=1800, kernel_name="rust", resources={"metadata": {"path": str(path.parent)}})
    started = time.time()
    try:
        client.execute()
        status = "ok"
    except CellExecutionError as e:
        status = "FAILED"
        failed.append(path.name)
        print(f"--- {path.name}: a cell failed:\n{e}", file=sys.stderr)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                print(f"--- {path.name}: {out.get('ename')}: {out.get('evalue')}", file=sys.stderr)
                if path.name not in failed:
                    failed.append(path.name)
                    status = "FAILED"
    nbformat.write(nb, out_dir / path.name)
    images = sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    print(f"{path.name}: {status} in {time.time() - started:.0f} s, {len(nb.cells)} cells, {images} inline figures")
print(f"{len(paths) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)

"""The core must not import Textual or Rich: the CLI and ``warta fetch`` from cron should not pay
for them, and the core stays a library any front end can use."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_without_textual() -> None:
    code = (
        "import sys, pkgutil, importlib, tui.core\n"
        "for m in pkgutil.walk_packages(tui.core.__path__, 'tui.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "import tui.cli\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'rich'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_imports_another_modules_private_names() -> None:
    """A private name used by a second module needs a public home (tui/core/spawn.py was once
    ``pool._real_stderr`` imported by the store)."""
    import ast
    from pathlib import Path

    package = Path(__file__).parents[2] / "tui"
    borrowed = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                borrowed += [f"{path.relative_to(package)}: {node.module}.{alias.name}"
                             for alias in node.names
                             if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert borrowed == []

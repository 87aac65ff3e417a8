"""A database of the previous release upgrades with its data intact.

    python ops/upgrade_check.py [--from REV]     (default: PREVIOUS_RELEASE below; .ci/run runs it)

It checks the previous release out into a temporary worktree, migrates a fresh PostgreSQL database with
*that* code and seeds the demo district there, counts the rows of every table, then migrates the same
database with *this* code and counts again: every table that existed must keep its rows (a migration
may add rows — role groups, permissions — but never lose one), personal data must still decrypt, and
`seed_demo` must recognise its district. Uses DATABASE_URL's server (a database of its own, dropped at
the end). Exit 1 on any loss.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
DATABASE = "laoganbu_upgrade_check"
PREVIOUS_RELEASE = "8a3cf2e"  # main when the second wave began (after the security issue)


def run(command, *, cwd, env, capture=False):
    done = subprocess.run(command, cwd=cwd, env=env, check=True, text=True, capture_output=capture)
    return done.stdout


def counts(env, cwd) -> dict[str, int]:
    script = (
        "import json\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    names = connection.introspection.table_names(cursor)\n"
        "    found = {}\n"
        "    for name in names:\n"
        "        cursor.execute(f'SELECT count(*) FROM \"{name}\"')\n"
        "        found[name] = cursor.fetchone()[0]\n"
        "print(json.dumps(found))\n"
    )
    import json

    output = run([PYTHON, "manage.py", "shell", "--no-imports", "-c", script], cwd=cwd, env=env, capture=True)
    return json.loads(output.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="base", default=PREVIOUS_RELEASE, help="the previous release (a commit or tag)")
    options = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
    env = {**os.environ, "DATABASE_URL": f"{server}/{DATABASE}", "DJANGO_ENV": "development", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    psql = ["psql", server + "/postgres", "-qc"]
    worktree = Path(tempfile.mkdtemp(prefix="laoganbu-upgrade-"))
    try:
        run(["git", "worktree", "add", "--detach", str(worktree), options.base], cwd=BASE_DIR, env=env)
        run([*psql, f"DROP DATABASE IF EXISTS {DATABASE}"], cwd=BASE_DIR, env=env)
        run([*psql, f"CREATE DATABASE {DATABASE}"], cwd=BASE_DIR, env=env)
        old_env = {**env, "MEDIA_ROOT": str(worktree / "var" / "media")}
        print(f"previous release {options.base}: migrate and seed the demo district", flush=True)
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=worktree, env=old_env)
        run([PYTHON, "manage.py", "seed_demo"], cwd=worktree, env=old_env, capture=True)
        before = counts(old_env, worktree)
        print("this release: migrate the same database", flush=True)
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=old_env)
        after = counts(old_env, BASE_DIR)
        lost = {name: (n, after.get(name)) for name, n in before.items() if after.get(name, -1) < n}
        check = run([PYTHON, "manage.py", "rotate_encryption", "--check"], cwd=BASE_DIR, env=old_env, capture=True)
        again = run([PYTHON, "manage.py", "seed_demo"], cwd=BASE_DIR, env=old_env, capture=True)
        rows = sum(before.values())
        print(f"{len(before)} tables, {rows:,} rows before; {sum(after.values()):,} after; {check.strip()}")
        if lost:
            print("ROWS LOST in the upgrade:", lost)
            return 1
        if "already present" not in again:
            print("seed_demo did not recognise the upgraded district")
            return 1
        print("UPGRADE OK: every row kept, personal data readable")
        return 0
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=BASE_DIR, check=False)
        shutil.rmtree(worktree, ignore_errors=True)
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {DATABASE}"], cwd=BASE_DIR, env=env, check=False)


if __name__ == "__main__":
    sys.exit(main())

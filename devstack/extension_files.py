"""Extension files the devstack puts in the server's extension folder, so that a migration's
`create extension if not exists pgmq` (or `pg_net`) works unchanged here and on Supabase.

- pgmq is real: its SQL is the one the PyPI package `pgmq` ships (`pgmq/sql/pgmq.sql`, the
  PGMQ extension at the version in `pgmq/sql/VERSION`), installed as `pgmq--<version>.sql` with
  the control file of PGMQ's own repository (pgmq-extension/pgmq.control: `schema = 'pgmq'`,
  `superuser = false`), less `module_pathname` (the SQL needs no library). `superuser = false`
  lets the non-superuser `postgres` create it and leaves every object owned by `postgres`, which is
  where Supabase's supautils after-create script for pgmq leaves them too.
- pg_net is a stand-in (devstack/extensions/), delivered by devstack/net_worker.py.

Every file written here starts with a comment naming the devstack. A file of the same name that
does not (a real pg_net, a packaged pgmq) is never overwritten: installing refuses instead.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pgmq import install as pgmq_install

from devstack.postgres import PG_BIN

STAND_INS_DIR = Path(__file__).parent / "extensions"
MARK = "devstack"  # every file the devstack writes names it in its first line (a comment)


class ForeignExtensionFile(RuntimeError):
    """A file the devstack would write is already there and was not written by the devstack."""


@dataclass(frozen=True)
class ExtensionFile:
    name: str
    text: str


def pgmq_files() -> list[ExtensionFile]:
    version = pgmq_install.get_embedded_sql_version()
    source = f"the PyPI package pgmq (pgmq/sql/pgmq.sql, PGMQ {version})"
    control = (
        f"# Installed by the social-link devstack from {source}; PGMQ's own control file.\n"
        "comment = 'A lightweight message queue. Like AWS SQS and RSMQ but on Postgres.'\n"
        f"default_version = '{version}'\n"
        "schema = 'pgmq'\n"
        "relocatable = false\n"
        "superuser = false\n"
    )
    script = f"-- Installed by the social-link devstack from {source}.\n" + pgmq_install.get_embedded_install_sql()
    return [ExtensionFile("pgmq.control", control), ExtensionFile(f"pgmq--{version}.sql", script)]


def stand_in_files() -> list[ExtensionFile]:
    return [ExtensionFile(path.name, path.read_text()) for path in sorted(STAND_INS_DIR.iterdir())]


def server_extension_dir() -> Path:
    sharedir = subprocess.run(
        [str(PG_BIN / "pg_config"), "--sharedir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return Path(sharedir) / "extension"


def written_by_devstack(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as file:
        first_line = file.readline()
    return first_line.startswith(("#", "--")) and MARK in first_line


def install(files: list[ExtensionFile], target: Path) -> None:
    """Writes each file that differs; refuses (before writing any) if one of the names is taken by
    a file the devstack did not write. Each write is atomic: a concurrent `create extension` (another
    test session) reads the old file or the new one, never half of one."""
    for file in files:
        if MARK not in file.text.partition("\n")[0]:
            raise ValueError(f"{file.name} does not name the devstack in its first line")
    foreign = [target / file.name for file in files
               if (target / file.name).exists() and not written_by_devstack(target / file.name)]
    if foreign:
        raise ForeignExtensionFile(
            f"{', '.join(map(str, foreign))} already exist and were not written by the devstack "
            "(a real extension?); the devstack will not overwrite them. Remove them or use a server without them."
        )
    for file in files:
        destination = target / file.name
        if destination.exists() and destination.read_text() == file.text:
            continue
        temporary = target / f".{file.name}.{os.getpid()}.tmp"
        temporary.write_text(file.text)
        temporary.chmod(0o644)
        os.replace(temporary, destination)


def install_extension_files(target: Path | None = None) -> None:
    install([*pgmq_files(), *stand_in_files()], target or server_extension_dir())

"""Reads the project's Dockerfile into stages of instructions, so tests run exactly what it says."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str

    def exec_form(self) -> list[str]:
        """The JSON-array form of CMD/ENTRYPOINT/HEALTHCHECK CMD (shell form is not accepted)."""
        return json.loads(self.arguments)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [instruction for instruction in self.instructions if instruction.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        return self.all(keyword)[-1]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for pair in shlex.split(instruction.arguments):
                key, value = pair.split("=", 1)
                values[key] = value
        return values

    def copied_sources(self) -> list[str]:
        """What the stage copies from the build context (COPY without --from)."""
        sources = []
        for instruction in self.all("COPY"):
            words = instruction.arguments.split()
            if not any(word.startswith("--from") for word in words):
                sources += [word for word in words[:-1] if not word.startswith("--")]
        return sources

    def healthcheck(self) -> list[str]:
        arguments = self.last("HEALTHCHECK").arguments
        return json.loads(arguments[arguments.index("CMD") + len("CMD"):].strip())


def read(path: Path) -> list[Stage]:
    text = re.sub(r"\\\n", " ", path.read_text())
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        keyword, arguments = keyword.upper(), arguments.strip()
        if keyword == "FROM":
            words = arguments.split()
            stages.append(Stage(words[0], words[2] if len(words) > 2 and words[1].upper() == "AS" else None))
        else:
            stages[-1].instructions.append(Instruction(keyword, arguments))
    return stages

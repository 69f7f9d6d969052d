"""Profiles: `secure`, or a set of weaknesses that each switch one control of a reference stack off, named
one by one or by a preset (harness.reference.presets: a distribution's shipped settings)."""

from __future__ import annotations

import dataclasses

from harness.catalog import WEAKNESSES
from harness.errors import UsageError
from harness.reference.presets import PRESETS

SECURE = "secure"
REFERENCE_BACKENDS = ("local", "docker")


@dataclasses.dataclass(frozen=True)
class Profile:
    weaknesses: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return ",".join(sorted(self.weaknesses)) or SECURE

    def has(self, weakness: str) -> bool:
        if weakness not in WEAKNESSES:
            raise KeyError(f"unknown weakness {weakness!r}")
        return weakness in self.weaknesses

    @classmethod
    def parse(cls, text: str, backend: str) -> Profile:
        """Parse `--profile`: weaknesses and presets, combined; refuses names outside the catalog and the
        presets, and weaknesses `backend` cannot switch (a preset's included)."""
        names = [n.strip() for n in text.split(",") if n.strip()]
        if names == [SECURE] or not names:
            return cls()
        if backend not in REFERENCE_BACKENDS:
            raise UsageError("--profile: weaknesses exist only in reference stacks (local, docker); "
                             "an external target is tested as it is")
        if SECURE in names:
            raise UsageError(f"--profile: {SECURE} means no weakness and cannot be combined with weaknesses "
                             f"({', '.join(n for n in names if n != SECURE)})")
        for name in names:
            if name not in WEAKNESSES and name not in PRESETS:
                implemented = sorted(w for w, weakness in WEAKNESSES.items() if backend in weakness.backends)
                raise UsageError(f"--profile: unknown weakness {name!r}, nor a preset ({', '.join(PRESETS)}); "
                                 f"valid for {backend}: {SECURE}, " + ", ".join(implemented))
        weaknesses = frozenset(w for name in names for w in (PRESETS[name].weaknesses if name in PRESETS else {name}))
        for name in sorted(weaknesses):
            if backend not in WEAKNESSES[name].backends:
                raise UsageError(
                    f"--profile: weakness {name!r} is not implemented by the {backend} reference stack")
        return cls(weaknesses)

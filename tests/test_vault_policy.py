"""The reference Vault's ACL matching: Vault's priority between rules, `+` segments, `*` globs and deny."""

from __future__ import annotations

import pytest

from harness.reference.vault import policy

RULES = policy.parse('''
path "secret/data/bu-a/*" { capabilities = ["read"] }
path "secret/+/bu-a/shared" { capabilities = ["list"] }
path "secret/data/bu-a/locked" { capabilities = ["deny"] }
path "secret/metadata/+/*" { capabilities = ["list"] }
''')


@pytest.mark.parametrize(("path", "expected"), [
    ("secret/data/bu-a/x", {"read"}),
    ("secret/data/bu-a/shared", {"read"}),  # the glob's first wildcard comes later: it wins over `+`
    ("secret/metadata/bu-a/shared", {"list"}),
    ("secret/metadata/bu-b/", {"list"}),
    ("secret/data/bu-a/locked", set()),
    ("secret/data/bu-b/x", set()),
    ("secret/data/bu-a", set()),
])
def test_most_specific_rule_decides(path: str, expected: set[str]) -> None:
    assert policy.Acl(["p"], {"p": RULES}).capabilities(path) == expected


def test_policies_add_up_and_root_allows_all() -> None:
    other = policy.parse('path "secret/data/bu-a/*" { capabilities = ["update"] }')
    assert policy.Acl(["p", "q"], {"p": RULES, "q": other}).capabilities("secret/data/bu-a/x") == {"read", "update"}
    assert policy.Acl(["root"], {}).allows("sys/policy/anything", "update")


def test_bad_capability_is_refused() -> None:
    with pytest.raises(policy.PolicyError, match='invalid capability "fly"'):
        policy.parse('path "x" { capabilities = ["fly"] }')

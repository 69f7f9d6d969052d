"""The checks, one package per scenario; shipped in the wheel so `pytest --scenario=NAME` finds them."""

"""Camunda 8 security regression harness: a pytest plugin with reference stacks and scenario suites."""

"""Offline tooling: the policy-pack harness (:mod:`offline.analyzer`) and the offline preview engine."""

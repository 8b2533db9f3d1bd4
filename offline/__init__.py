"""Offline tooling: the policy-pack harness (:mod:`offline.analyzer`) and the offline preview engine.

The offline preview (``make preview`` / ``python -m offline preview --stack dev --mode preview``):

* :mod:`offline.stackconfig` - ``Pulumi.yaml`` defaults + ``Pulumi.<stack>.yaml``, passphrase secrets;
* :mod:`offline.engine` - runs ``__main__.py`` under a recording resource monitor (engine URNs,
  default providers, preview/update/existing modes), one forked process per stack;
* :mod:`offline.fakes` - the fake cloud: deterministic, clearly fake invoke answers and resource outputs,
  and the list of the program's invokes; the strict test mocks (``tests/mocks.py``) answer from it too;
* :mod:`offline.wire` - the engine's wire vocabulary (unknown and secret sentinels from the SDK, URNs);
* :mod:`offline.graph` - dependency order and tree shape;
* :mod:`offline.policyrun` - Analyze/AnalyzeStack as the engine sends them, through the harness;
* :mod:`offline.cost` + ``offline/prices.json`` - monthly estimate from a dated price table;
* :mod:`offline.diagram` - graphviz architecture diagram with security-group reachability;
* :mod:`offline.report` - ``report.json``, ``report.sarif`` (schema in ``offline/schemas``), ``summary.md``;
* :mod:`offline.cli` - the command line; :mod:`offline.bench` - cold/warm timing.
"""

#: The offline preview's modes (see :mod:`offline.engine`). Here, not in the engine, so that the command line can
#: check its arguments and start the engine process before it imports the SDKs itself.
MODES = ("preview", "update", "existing")

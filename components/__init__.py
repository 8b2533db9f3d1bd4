"""Components of the webservice program: one resource family per module.

Type tokens are ``webservice:<module>:<Type>``:
``webservice:keys:Encryption``, ``webservice:network:Network``, ``webservice:registry:Registry``,
``webservice:cluster:Cluster``, ``webservice:database:Database``, ``webservice:task:Task``,
``webservice:service:Service``.

Region and partition come from the ``aws:region`` config, never from an invoke.
"""

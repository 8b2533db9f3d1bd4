"""Components of the webservice program: one resource family per module.

Type tokens are ``webservice:<module>:<Type>``:
``webservice:keys:Encryption``, ``webservice:network:Network``, ``webservice:registry:Registry``,
``webservice:cluster:Cluster``, ``webservice:database:Database``, ``webservice:task:Task``,
``webservice:service:Service``.

Invokes the program calls (an offline engine must answer exactly these):

- ``aws:index/getCallerIdentity:getCallerIdentity`` (``__main__.py``): the account id for ARNs in policies.
- ``aws:ecr/getAuthorizationToken:getAuthorizationToken`` (registry): credentials for the image push.
- ``aws:elb/getServiceAccount:getServiceAccount`` (service): the regional ELB account allowed to write ALB
  access logs; called only in stacks with ``albAccessLogs: true``.
- ``aws:route53/getZone:getZone`` (service): the hosted zone id of ``hostedZoneName``; called only with a
  ``domainName`` and no ``hostedZoneId``.
- ``aws:ec2/getRouteTables:getRouteTables`` (network): the private route tables that awsx created (tag
  ``SubnetType: Private``), for the S3 gateway endpoint; it waits for the VPC component.

Region and partition come from the ``aws:region`` config, never from an invoke. ``awsx:ec2:Vpc`` is a
remote component: the awsx plugin looks up availability zones itself, which is not a program invoke.
"""

INVOKE_TOKENS = (
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:ecr/getAuthorizationToken:getAuthorizationToken",
    "aws:elb/getServiceAccount:getServiceAccount",
    "aws:route53/getZone:getZone",
    "aws:ec2/getRouteTables:getRouteTables",
)

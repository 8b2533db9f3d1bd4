"""Plausible, clearly fake answers for what a cloud account would return.

Everything here is deterministic (derived from the URN), so two runs produce identical reports.
The account id is the documentation account ``123456789012``; nothing here is a real identifier.

* :func:`invoke` answers the provider functions the program calls (``aws:index/getRegion`` ...).
  An invoke it does not know is an error, never a silent empty answer.
* :func:`outputs_for` builds the output state of a created resource: its inputs plus the
  properties the provider computes (``id``, ``arn``, endpoints ...). In ``preview`` mode only the
  inputs are returned, so every computed property is the unknown sentinel, as in a first preview.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from .wire import UNKNOWN, plain, secret

FAKE_ACCOUNT = "123456789012"


class UnknownInvoke(Exception):
    pass


class UnknownResourceType(Exception):
    """A strict caller (the test mocks) asked for the outputs of a type the fake cloud does not list."""


#: Types whose computed outputs are only the generic ``id`` and ``arn`` below (the ones this project creates).
#: The offline engine gives any other type those too; the strict test mocks refuse a type that is neither here
#: nor answered by a branch of :func:`_by_type`.
GENERIC_TYPES = frozenset({
    "aws:cloudwatch/dashboard:Dashboard",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:sns/topic:Topic",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
})


def short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def fake_uuid(text: str) -> str:
    h = hashlib.sha256(text.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


AZ_SUFFIXES = "abcdef"


def _azs(region: str) -> dict:
    names = [f"{region}{s}" for s in AZ_SUFFIXES]
    return {
        "id": region,
        "names": names,
        "zoneIds": [f"use1-az{i + 1}" for i in range(len(names))],
        "groupNames": [region] * len(names),
        "state": "available",
        "allAvailabilityZones": False,
    }


def _policy_document(args: dict) -> dict:
    """``aws:iam/getPolicyDocument``: render the statements as IAM JSON, as the provider does."""

    def one_or_many(values: list) -> Any:
        values = list(values)
        return values[0] if len(values) == 1 else values

    statements = []
    for st in args.get("statements") or []:
        out: dict[str, Any] = {}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        out["Effect"] = st.get("effect", "Allow")
        for key, name in (("actions", "Action"), ("notActions", "NotAction"),
                          ("resources", "Resource"), ("notResources", "NotResource")):
            if st.get(key):
                out[name] = one_or_many(st[key])
        for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if st.get(key):
                principals: dict[str, Any] = {}
                for p in st[key]:
                    principals[p["type"]] = one_or_many(p.get("identifiers") or [])
                out[name] = "*" if principals == {"*": "*"} else principals
        if st.get("conditions"):
            cond: dict[str, dict] = {}
            for c in st["conditions"]:
                cond.setdefault(c["test"], {})[c["variable"]] = one_or_many(c.get("values") or [])
            out["Condition"] = cond
        statements.append(out)
    doc = {"Version": args.get("version") or "2012-10-17", "Statement": statements}
    text = json.dumps(doc, indent=2)
    return {"id": short_hash(text), "json": text, "minifiedJson": json.dumps(doc, separators=(",", ":"))}


#: The invokes this project's program calls (the stack tests check the list against what it calls):
#:
#: - ``aws:index/getCallerIdentity:getCallerIdentity`` (``__main__.py``): the account id for ARNs in policies.
#: - ``aws:ecr/getAuthorizationToken:getAuthorizationToken`` (registry): credentials for the image push.
#: - ``aws:elb/getServiceAccount:getServiceAccount`` (service): the regional ELB account allowed to write ALB
#:   access logs; called only in stacks with ``albAccessLogs: true``.
#: - ``aws:route53/getZone:getZone`` (service): the hosted zone id of ``hostedZoneName``; called only with a
#:   ``domainName`` and no ``hostedZoneId``.
#: - ``aws:ec2/getRouteTables:getRouteTables`` (network): the private route tables that awsx created (tag
#:   ``SubnetType: Private``), for the S3 gateway endpoint; it waits for the VPC component.
#:
#: ``awsx:ec2:Vpc`` is a remote component: the awsx plugin looks up availability zones itself, which is not a
#: program invoke.
PROGRAM_INVOKES = (
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:ecr/getAuthorizationToken:getAuthorizationToken",
    "aws:elb/getServiceAccount:getServiceAccount",
    "aws:route53/getZone:getZone",
    "aws:ec2/getRouteTables:getRouteTables",
)


def invoke(token: str, args: dict, region: str) -> dict:
    """Answer one provider function call; raise :class:`UnknownInvoke` for anything else."""
    if token == "aws:index/getRegion:getRegion":
        name = args.get("region") or args.get("name") or region
        return {"id": name, "name": name, "region": name, "description": "US East (N. Virginia)",
                "endpoint": f"ec2.{name}.amazonaws.com"}
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"id": FAKE_ACCOUNT, "accountId": FAKE_ACCOUNT,
                "arn": f"arn:aws:iam::{FAKE_ACCOUNT}:user/offline-preview", "userId": "AIDAOFFLINEPREVIEW0000"}
    if token == "aws:index/getPartition:getPartition":
        return {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        return _azs(region)
    if token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
        password = "offline-preview-fake-ecr-password"
        return {
            "id": region,
            "authorizationToken": secret(base64.b64encode(f"AWS:{password}".encode()).decode()),
            "userName": "AWS",
            "password": secret(password),
            "proxyEndpoint": f"https://{FAKE_ACCOUNT}.dkr.ecr.{region}.amazonaws.com",
            "expiresAt": "2099-01-01T00:00:00Z",
        }
    if token == "aws:iam/getPolicyDocument:getPolicyDocument":
        return _policy_document(args)
    if token in ("aws:elb/getServiceAccount:getServiceAccount", "aws:lb/getServiceAccount:getServiceAccount"):
        return {"id": "127311923021", "arn": "arn:aws:iam::127311923021:root"}
    if token == "aws:route53/getZone:getZone" and args.get("name"):
        zone_name = str(args["name"]).rstrip(".")
        zone_id = "Z" + short_hash(zone_name, 20).upper()
        return {"id": zone_id, "zoneId": zone_id, "name": zone_name, "privateZone": False,
                "arn": f"arn:aws:route53:::hostedzone/{zone_id}", "nameServers": [f"ns-1.awsdns-{zone_name}"]}
    if token == "aws:ec2/getRouteTables:getRouteTables" and args.get("vpcId"):
        vpc = str(args["vpcId"])
        return {"id": region, "vpcId": vpc, "ids": [f"rtb-{short_hash(f'{vpc}/private/{i}', 17)}" for i in range(2)]}
    if token == "aws:iam/getPolicy:getPolicy" and args.get("arn"):
        return {"id": args["arn"], "arn": args["arn"], "name": args["arn"].rsplit("/", 1)[-1],
                "policy": json.dumps({"Version": "2012-10-17", "Statement": []})}
    raise UnknownInvoke(
        f"the offline engine has no answer for invoke {token!r}; add one to offline/fakes.py "
        "(it never guesses, so a policy cannot judge made-up data)")


# ---------------------------------------------------------------------------------------------
# Resource outputs


def _arn(service: str, region: str, resource: str, account: bool = True) -> str:
    return f"arn:aws:{service}:{region}:{FAKE_ACCOUNT if account else ''}:{resource}"


def _physical_name(inputs: dict, name: str, urn: str, key: str = "name") -> str:
    value = plain(inputs.get(key))
    if isinstance(value, str) and value and value != UNKNOWN:
        return value
    prefix = plain(inputs.get(f"{key}Prefix"))
    if isinstance(prefix, str) and prefix:
        return prefix + short_hash(urn, 26)
    return f"{name}-{short_hash(urn, 7)}"  # Pulumi's autonaming: logical name plus 7 random chars


def _subnet_ids(kind: str, urn: str, count: int) -> list[str]:
    return [f"subnet-{short_hash(f'{urn}/{kind}/{i}', 17)}" for i in range(count)]


def _vpc_outputs(inputs: dict, name: str, urn: str, region: str) -> dict:
    count = plain(inputs.get("numberOfAvailabilityZones"))
    azs = plain(inputs.get("availabilityZoneNames"))
    n = len(azs) if isinstance(azs, list) else int(count or 3)
    kinds: dict[str, list[Any]] = {"Public": [], "Private": [], "Isolated": []}
    for spec in plain(inputs.get("subnetSpecs")) or [{"type": "Public"}, {"type": "Private"}]:
        kind = str(plain(spec).get("type", "Private")) if isinstance(plain(spec), dict) else "Private"
        kinds.setdefault(kind, [])
    out = {
        "vpcId": f"vpc-{short_hash(urn, 17)}",
        "publicSubnetIds": _subnet_ids("public", urn, n) if "Public" in kinds else [],
        "privateSubnetIds": _subnet_ids("private", urn, n) if "Private" in kinds else [],
        "isolatedSubnetIds": _subnet_ids("isolated", urn, n) if "Isolated" in kinds else [],
        "natGateways": [],
    }
    out["eips"] = []
    return out


def _by_type(typ: str, inputs: dict, name: str, urn: str, region: str, strict: bool = False) -> dict:
    """Computed properties per resource type (the ones programs and policies commonly read)."""
    h = short_hash(urn, 17)
    out: dict[str, Any] = {}
    if typ == "awsx:ec2:Vpc":
        return _vpc_outputs(inputs, name, urn, region)
    if typ == "aws:ecr/repository:Repository":
        repo = _physical_name(inputs, name, urn)
        out.update(name=repo, arn=_arn("ecr", region, f"repository/{repo}"), registryId=FAKE_ACCOUNT,
                   repositoryUrl=f"{FAKE_ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{repo}", id=repo)
    elif typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
        lb = _physical_name(inputs, name, urn)[:32]
        out.update(name=lb, arn=_arn("elasticloadbalancing", region, f"loadbalancer/app/{lb}/{h[:16]}"),
                   arnSuffix=f"app/{lb}/{h[:16]}", dnsName=f"{lb}-{h[:9]}.{region}.elb.amazonaws.com",
                   zoneId="Z35SXDOTRQ7X7K")
    elif typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
        tg = _physical_name(inputs, name, urn)[:32]
        out.update(name=tg, arn=_arn("elasticloadbalancing", region, f"targetgroup/{tg}/{h[:16]}"),
                   arnSuffix=f"targetgroup/{tg}/{h[:16]}")
    elif typ in ("aws:lb/listener:Listener", "aws:alb/listener:Listener"):
        out.update(arn=_arn("elasticloadbalancing", region, f"listener/app/x/{h[:16]}/{h[:8]}"))
    elif typ == "aws:rds/instance:Instance":
        ident = _physical_name(inputs, name, urn, "identifier")
        host = f"{ident}.c{h[:11]}.{region}.rds.amazonaws.com"
        port = plain(inputs.get("port")) or 3306
        out.update(identifier=ident, address=host, endpoint=f"{host}:{int(port)}", port=port,
                   arn=_arn("rds", region, f"db:{ident}"), resourceId=f"db-{h.upper()}",
                   hostedZoneId="Z2R2ITUGPM61AM", id=ident)
        if plain(inputs.get("manageMasterUserPassword")):
            out["masterUserSecrets"] = [{
                "secretArn": _arn("secretsmanager", region, f"secret:rds!db-{fake_uuid(urn)}-{h[:6]}"),
                "kmsKeyId": _arn("kms", region, f"key/{fake_uuid(urn + 'kms')}"),
                "secretStatus": "active"}]
    elif typ == "aws:ecs/taskDefinition:TaskDefinition":
        family = plain(inputs.get("family")) or name
        out.update(arn=_arn("ecs", region, f"task-definition/{family}:1"), revision=1,
                   arnWithoutRevision=_arn("ecs", region, f"task-definition/{family}"))
    elif typ == "aws:ecs/cluster:Cluster":
        cl = _physical_name(inputs, name, urn)
        out.update(name=cl, arn=_arn("ecs", region, f"cluster/{cl}"), id=_arn("ecs", region, f"cluster/{cl}"))
    elif typ == "aws:ecs/service:Service":
        svc = _physical_name(inputs, name, urn)
        out.update(name=svc, id=_arn("ecs", region, f"service/x/{svc}"))
    elif typ == "aws:iam/role:Role":
        role = _physical_name(inputs, name, urn)
        out.update(name=role, arn=f"arn:aws:iam::{FAKE_ACCOUNT}:role/{role}", uniqueId=f"AROA{h.upper()}", id=role)
    elif typ == "aws:iam/policy:Policy":
        pol = _physical_name(inputs, name, urn)
        out.update(name=pol, arn=f"arn:aws:iam::{FAKE_ACCOUNT}:policy/{pol}")
    elif typ == "aws:cloudwatch/logGroup:LogGroup":
        lg = _physical_name(inputs, name, urn)
        out.update(name=lg, arn=_arn("logs", region, f"log-group:{lg}"), id=lg)
    elif typ == "aws:kms/key:Key":
        kid = fake_uuid(urn)
        out.update(keyId=kid, arn=_arn("kms", region, f"key/{kid}"), id=kid)
    elif typ == "aws:kms/alias:Alias":
        out.update(arn=_arn("kms", region, str(plain(inputs.get("name")) or f"alias/{name}")))
    elif typ in ("aws:ec2/securityGroup:SecurityGroup",):
        out.update(id=f"sg-{h}", arn=_arn("ec2", region, f"security-group/sg-{h}"), ownerId=FAKE_ACCOUNT,
                   name=_physical_name(inputs, name, urn))
    elif typ in ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                 "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"):
        out.update(id=f"sgr-{h}", securityGroupRuleId=f"sgr-{h}")
    elif typ == "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
        out.update(id=f"sg-{h}")
    elif typ in ("aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup"):
        pn = _physical_name(inputs, name, urn).lower()
        kind = "subgrp" if "subnet" in typ else "pg"
        out.update(name=pn, id=pn, arn=_arn("rds", region, f"{kind}:{pn}"))
    elif typ == "aws:appautoscaling/target:Target":
        out.update(arn=_arn("application-autoscaling", region, f"scalable-target/{h}"))
    elif typ == "aws:appautoscaling/policy:Policy":
        out.update(arn=_arn("autoscaling", region, f"scalingPolicy:{fake_uuid(urn)}:resource/ecs/x:policyName/{name}"))
    elif typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
        an = _physical_name(inputs, name, urn)
        out.update(name=an, arn=_arn("cloudwatch", region, f"alarm:{an}"))
    elif typ == "aws:ec2/flowLog:FlowLog":
        out.update(id=f"fl-{h}", arn=_arn("ec2", region, f"vpc-flow-log/fl-{h}"))
    elif typ == "aws:s3/bucketV2:BucketV2" or typ == "aws:s3/bucket:Bucket":
        b = _physical_name(inputs, name, urn, "bucket").lower()
        out.update(bucket=b, id=b, arn=f"arn:aws:s3:::{b}", bucketDomainName=f"{b}.s3.amazonaws.com")
    elif typ == "aws:acm/certificate:Certificate":
        domain = str(plain(inputs.get("domainName")) or "example.com")
        out.update(arn=_arn("acm", region, f"certificate/{fake_uuid(urn)}"), status="ISSUED",
                   domainValidationOptions=[{"domainName": domain, "resourceRecordName": f"_{h}.{domain}.",
                                             "resourceRecordType": "CNAME",
                                             "resourceRecordValue": f"_{h[::-1]}.acm-validations.aws."}])
    elif typ == "aws:acm/certificateValidation:CertificateValidation":
        out.update(id=str(plain(inputs.get("certificateArn")) or h))
    elif typ == "aws:route53/record:Record":
        out.update(fqdn=str(plain(inputs.get("name")) or name).rstrip("."))
    elif typ == "aws:ec2/vpcEndpoint:VpcEndpoint":
        out.update(id=f"vpce-{h}", arn=_arn("ec2", region, f"vpc-endpoint/vpce-{h}"), prefixListId=f"pl-{h[:8]}",
                   state="available")
    elif typ == "docker:index/image:Image":
        image_name = plain(inputs.get("imageName")) or f"{name}:offline"
        out.update(imageName=image_name, baseImageName=image_name,
                   repoDigest=f"{str(image_name).split(':')[0]}@sha256:{hashlib.sha256(urn.encode()).hexdigest()}")
    elif typ.startswith("pulumi:providers:"):
        pass
    elif strict and typ not in GENERIC_TYPES:
        raise UnknownResourceType(f"the fake cloud (offline/fakes.py) has no outputs for resource type {typ!r}; "
                                  "add a branch to _by_type, or the type to GENERIC_TYPES")
    else:
        service = typ.split(":")[1].split("/")[0] if ":" in typ else "x"
        out.update(arn=_arn(service, region, f"{name}/{h}"))
    out.setdefault("id", f"{name}-{short_hash(urn, 7)}")
    if "tags" in inputs and "tagsAll" not in inputs:
        out["tagsAll"] = inputs["tags"]
    return out


def outputs_for(typ: str, inputs: dict, name: str, urn: str, region: str, known: bool,
                remote: bool = False, strict: bool = False) -> tuple[str, dict]:
    """Return ``(id, state)``. With ``known`` false (first preview) only the inputs come back.

    A remote component's state is only its declared outputs (the component provider's Construct
    returns those, not its inputs); in a first preview they are all unknown. ``strict`` refuses a type the fake
    cloud does not list (:class:`UnknownResourceType`) instead of giving it a generic ``id`` and ``arn``.
    """
    if remote:
        return "", (_by_type(typ, inputs, name, urn, region, strict) if known else {})
    if not known:
        return "", dict(inputs)
    computed = _by_type(typ, inputs, name, urn, region, strict)
    rid = str(computed.pop("id", f"{name}-{short_hash(urn, 7)}"))
    state = dict(inputs)
    state.update(computed)
    return rid, state

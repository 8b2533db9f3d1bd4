"""Monthly cost estimate from the recorded resources and the committed price table.

Two halves, kept apart so the arithmetic can be tested by hand:

* :func:`usage_from_resources` reads the recorded graph (task size and architecture, service task
  counts and capacity-provider split, load balancers, NAT strategy, RDS class/multi-AZ/storage,
  secrets, log groups, repositories) into a :class:`Usage`;
* :func:`estimate` is pure arithmetic: ``Usage`` x ``prices.json`` -> lines and a total.

Every assumption that is not in the program (LCUs, log volume, image size, Spot discount, the
task count the service runs at) is printed with the result.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from .wire import UNKNOWN, plain as _plain

PRICES_FILE = Path(__file__).with_name("prices.json")


def load_prices(path: Path = PRICES_FILE) -> dict:
    return json.loads(Path(path).read_text())


@dataclass(frozen=True)
class TaskUsage:
    label: str
    architecture: str  # X86_64 | ARM64
    vcpu: float
    memory_gb: float
    on_demand_tasks: float
    spot_tasks: float


@dataclass(frozen=True)
class DbUsage:
    label: str
    instance_class: str
    multi_az: bool
    storage_gb: float
    engine_version: str = ""
    #: engineLifecycleSupport as sent; RDS's own default (when absent) enrols the instance in Extended Support.
    lifecycle: str = "open-source-rds-extended-support"


@dataclass(frozen=True)
class Usage:
    tasks: tuple[TaskUsage, ...] = ()
    albs: int = 0
    nat_gateways: int = 0
    public_ipv4: int = 0
    public_ipv4_detail: str = ""
    databases: tuple[DbUsage, ...] = ()
    secrets: int = 0
    log_gb: float = 0.0
    ecr_gb: float = 0.0
    notes: tuple[str, ...] = ()
    #: GB a month through the NAT gateways: task logs, plus image layer pulls unless an S3 gateway endpoint
    #: carries them.
    nat_gb: float = 0.0
    s3_gateway_endpoint: bool = False
    #: CloudWatch: alarms and the metrics they read, dashboards, and custom metrics from log metric filters.
    alarms: int = 0
    alarm_metrics: int = 0
    dashboards: int = 0
    custom_metrics: int = 0


@dataclass(frozen=True)
class Line:
    item: str
    quantity: str
    usd: float
    source: str


@dataclass(frozen=True)
class Estimate:
    lines: tuple[Line, ...]
    total: float
    assumptions: tuple[str, ...]
    currency: str = "USD"
    region: str = "us-east-1"


def _r(x: float) -> float:
    return round(x + 1e-9, 2)


def estimate(usage: Usage, prices: dict) -> Estimate:
    """Pure arithmetic: monthly cost per line, rounded to cents per line; the total sums the lines."""
    h = prices["hours_per_month"]
    a = prices["assumptions"]
    lines: list[Line] = []
    spot = prices["fargate"]["spot_discount"]["fraction"]
    for t in usage.tasks:
        fp = prices["fargate"][t.architecture]
        per_task = t.vcpu * fp["vcpu_hour"]["usd"] * h + t.memory_gb * fp["gb_hour"]["usd"] * h
        src = f"{fp['vcpu_hour']['source']} ({fp['vcpu_hour']['date']})"
        if t.on_demand_tasks:
            lines.append(Line(f"Fargate {t.architecture} on-demand ({t.label})",
                              f"{t.on_demand_tasks:g} task x {t.vcpu:g} vCPU / {t.memory_gb:g} GB x {h} h",
                              _r(per_task * t.on_demand_tasks), src))
        if t.spot_tasks:
            lines.append(Line(f"Fargate {t.architecture} Spot ({t.label})",
                              f"{t.spot_tasks:g} task x {t.vcpu:g} vCPU / {t.memory_gb:g} GB x {h} h, -{spot:.0%}",
                              _r(per_task * t.spot_tasks * (1 - spot)), src))
    if usage.albs:
        alb = prices["alb"]
        lines.append(Line("Application Load Balancer hours", f"{usage.albs} x {h} h",
                          _r(usage.albs * alb["hour"]["usd"] * h), f"{alb['hour']['source']} ({alb['hour']['date']})"))
        lines.append(Line("ALB capacity units (assumed)", f"{usage.albs} x {a['alb_average_lcu']:g} LCU x {h} h",
                          _r(usage.albs * a["alb_average_lcu"] * alb["lcu_hour"]["usd"] * h),
                          f"{alb['lcu_hour']['source']} ({alb['lcu_hour']['date']})"))
    if usage.nat_gateways:
        nat = prices["nat_gateway"]
        lines.append(Line("NAT gateway hours", f"{usage.nat_gateways} x {h} h",
                          _r(usage.nat_gateways * nat["hour"]["usd"] * h), f"{nat['hour']['source']} ({nat['hour']['date']})"))
        if usage.nat_gb:
            lines.append(Line("NAT data processed (assumed)", f"{usage.nat_gb:g} GB",
                              _r(usage.nat_gb * nat["gb_processed"]["usd"]),
                              f"{nat['gb_processed']['source']} ({nat['gb_processed']['date']})"))
    if usage.public_ipv4:
        ip = prices["public_ipv4"]["hour"]
        lines.append(Line("Public IPv4 addresses", f"{usage.public_ipv4} x {h} h ({usage.public_ipv4_detail})",
                          _r(usage.public_ipv4 * ip["usd"] * h), f"{ip['source']} ({ip['date']})"))
    rds = prices["rds_mysql"]
    for db in usage.databases:
        row = rds["instance_hour"].get(db.instance_class)
        az = "multi_az" if db.multi_az else "single_az"
        az_label = "Multi-AZ" if db.multi_az else "Single-AZ"
        if row is None:
            lines.append(Line(f"RDS MySQL {db.instance_class} {az_label} ({db.label})", "class not in the price table",
                              0.0, "add it to offline/prices.json"))
        else:
            lines.append(Line(f"RDS MySQL {db.instance_class} {az_label} ({db.label})", f"1 x {h} h",
                              _r(row[az] * h), f"{row['source']} ({row['date']})"))
        g = rds["gp3_gb_month"]
        lines.append(Line(f"RDS gp3 storage {az_label} ({db.label})", f"{db.storage_gb:g} GB-month",
                          _r(db.storage_gb * g[az]), f"{g['source']} ({g['date']})"))
        ext = rds["extended_support"]
        major = ".".join(db.engine_version.split(".")[:2])
        if db.lifecycle == "open-source-rds-extended-support" and major in ext["majors_billed"]:
            label = f"RDS Extended Support, MySQL {major} {az_label} ({db.label})"
            if row is None:
                lines.append(Line(label, "class not in the price table", 0.0, "add it to offline/prices.json"))
            else:
                instances = 2 if db.multi_az else 1
                lines.append(Line(label, f"{instances} x {row['vcpu']} vCPU x {h} h",
                                  _r(instances * row["vcpu"] * ext["vcpu_hour"] * h),
                                  f"{ext['source']} ({ext['date']})"))
    if usage.secrets:
        s = prices["secrets_manager"]["secret_month"]
        lines.append(Line("Secrets Manager secrets", f"{usage.secrets} secret-month",
                          _r(usage.secrets * s["usd"]), f"{s['source']} ({s['date']})"))
    if usage.log_gb:
        lg = prices["cloudwatch_logs"]["ingest_gb"]
        lines.append(Line("CloudWatch Logs ingestion (assumed volume)", f"{usage.log_gb:g} GB",
                          _r(usage.log_gb * lg["usd"]), f"{lg['source']} ({lg['date']})"))
    if usage.ecr_gb:
        e = prices["ecr"]["storage_gb_month"]
        lines.append(Line("ECR image storage (assumed size)", f"{usage.ecr_gb:g} GB-month",
                          _r(usage.ecr_gb * e["usd"]), f"{e['source']} ({e['date']})"))
    cw = prices.get("cloudwatch", {})
    for count, item, quantity, key in (
            (usage.alarm_metrics, "CloudWatch alarms", f"{usage.alarms} alarms reading {usage.alarm_metrics} metrics",
             "alarm_metric_month"),
            (usage.dashboards, "CloudWatch dashboards", f"{usage.dashboards} dashboard-month", "dashboard_month"),
            (usage.custom_metrics, "CloudWatch custom metrics (log metric filters)",
             f"{usage.custom_metrics} metric-month", "custom_metric_month")):
        if count:
            lines.append(Line(item, quantity, _r(count * cw[key]["usd"]), f"{cw[key]['source']} ({cw[key]['date']})"))
    total = _r(sum(line.usd for line in lines))
    assumptions = (
        f"us-east-1 on-demand list prices, {h} hours a month; no free tier, no Savings Plans or reserved instances.",
        "Services run at their desired count all month (autoscaling above it costs more); a capacity-provider "
        "split puts 'base' tasks first, then splits the rest by weight, half a task rounding to Spot.",
        f"Fargate Spot is priced at {spot:.0%} below on-demand (AWS: 'up to 70%'; the real price varies).",
        f"Each ALB averages {a['alb_average_lcu']:g} LCU.",
        f"Logs: {a['log_gb_per_task_month']:g} GB per task per month, plus {a['flow_log_gb_month']:g} GB per VPC flow log; "
        "log storage and Insights queries are not counted.",
        f"ECR: {a['image_gb']:g} GB per image, keeping what the lifecycle policy keeps (default {a['images_kept_default']}).",
        f"NAT data processed: the task logs above (shipped to CloudWatch Logs through NAT), plus "
        f"{a['image_pulls_per_task_month']:g} image pulls per task per month of {a['image_gb']:g} GB each "
        + ("only without an S3 gateway endpoint; this stack has one, so ECR's layer downloads (from S3) bypass "
           "NAT for free." if usage.s3_gateway_endpoint else
           "(no S3 gateway endpoint: ECR's layer downloads from S3 go through NAT)."),
        "Data transfer out, KMS keys/requests, SNS e-mail deliveries (the first 1,000 a month are free) and Container "
        "Insights are not counted; CloudWatch alarms, dashboards and metric-filter metrics are, without the free tier.",
        "NAT gateways and their IPs of the awsx Vpc are counted from its inputs (its children are laid out offline "
        "from the same inputs).",
    ) + tuple(usage.notes)
    return Estimate(lines=tuple(lines), total=total, assumptions=assumptions,
                    currency=prices.get("currency", "USD"), region=prices.get("region", "us-east-1"))


# ---------------------------------------------------------------------------------------------
# Reading usage out of the recorded resources



def _num(v: Any) -> Optional[float]:
    v = _plain(v)
    if v is None or v == UNKNOWN:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def split_capacity(count: float, strategy: Optional[list]) -> tuple[float, float]:
    """(on-demand, spot) tasks for a capacity-provider strategy: ``base`` first, then weights."""
    if not strategy:
        return float(count), 0.0
    items = [_plain(s) for s in strategy if isinstance(_plain(s), dict)]
    od = spot = 0.0
    remaining = float(count)
    for s in items:
        base = min(_num(s.get("base")) or 0.0, remaining)
        if base:
            if str(_plain(s.get("capacityProvider"))) == "FARGATE_SPOT":
                spot += base
            else:
                od += base
            remaining -= base
    total_w = sum(_num(s.get("weight")) or 0.0 for s in items)
    if remaining and total_w:
        w_spot = sum(_num(s.get("weight")) or 0.0 for s in items if str(_plain(s.get("capacityProvider"))) == "FARGATE_SPOT")
        s_part = float(math.floor(remaining * w_spot / total_w + 0.5))  # half a task goes to Spot
        spot += s_part
        od += remaining - s_part
    elif remaining:
        od += remaining
    return od, spot


def _under_awsx_vpc(r: dict, by_urn: dict) -> bool:
    parent = r.get("parent") or ""
    while parent:
        if (by_urn.get(parent) or {}).get("type") == "awsx:ec2:Vpc":
            return True
        parent = (by_urn.get(parent) or {}).get("parent") or ""
    return False


def usage_from_resources(resources: Iterable[dict], prices: dict) -> Usage:
    res = list(resources)
    by_urn = {r["urn"]: r for r in res}
    a = prices["assumptions"]
    notes: list[str] = []

    def props(r: dict) -> dict:
        # Inputs are what the program set and are known at preview; outputs may hold the defaults.
        merged = dict(r.get("outputs") or {})
        merged.update({k: v for k, v in (r.get("inputs") or {}).items() if _plain(v) != UNKNOWN})
        return merged

    vpc_azs = 0
    nat = 0
    for r in res:
        if r["type"] == "awsx:ec2:Vpc":
            p = props(r)
            azs = _plain(p.get("availabilityZoneNames"))
            n = len(azs) if isinstance(azs, list) else int(_num(p.get("numberOfAvailabilityZones")) or 3)
            vpc_azs = max(vpc_azs, n)
            ng = _plain(p.get("natGateways")) or {}
            strategy = _plain(ng.get("strategy")) if isinstance(ng, dict) else None
            strategy = strategy or "OnePerAz"
            nat += {"None": 0, "Single": 1, "OnePerAz": n}.get(str(strategy), n)
        elif r["type"] == "aws:ec2/natGateway:NatGateway" and not _under_awsx_vpc(r, by_urn):
            nat += 1  # an awsx Vpc's own NAT gateways (offline/awsx_vpc.py) are counted from its inputs above

    # Task definitions by URN, then services that run them.
    tasks: list[TaskUsage] = []
    public_task_ips = 0
    total_tasks = 0.0
    autoscaling_min: dict[str, float] = {}
    for r in res:
        if r["type"] == "aws:appautoscaling/target:Target":
            p = props(r)
            for dep in r.get("dependencies", []):
                autoscaling_min[dep] = _num(p.get("minCapacity")) or 0.0
    for r in res:
        if r["type"] != "aws:ecs/service:Service":
            continue
        p = props(r)
        td_urns = (r.get("property_dependencies") or {}).get("taskDefinition") or []
        td = next((by_urn[u] for u in td_urns if u in by_urn), None)
        if td is None:
            notes.append(f"Service {r['name']}: its task definition is not in the graph; not priced.")
            continue
        tp = props(td)
        cpu, mem = _num(tp.get("cpu")), _num(tp.get("memory"))
        if cpu is None or mem is None:
            notes.append(f"Service {r['name']}: task size unknown at preview; not priced.")
            continue
        platform = _plain(tp.get("runtimePlatform")) or {}
        arch = str(_plain(platform.get("cpuArchitecture")) or "X86_64").upper() if isinstance(platform, dict) else "X86_64"
        count = _num(p.get("desiredCount"))
        if count is None:
            count = 1.0
        count = max(count, autoscaling_min.get(r["urn"], 0.0))
        od, spot = split_capacity(count, _plain(p.get("capacityProviderStrategies")))
        tasks.append(TaskUsage(r["name"], arch if arch in ("X86_64", "ARM64") else "X86_64",
                               cpu / 1024, mem / 1024, od, spot))
        total_tasks += count
        net = _plain(p.get("networkConfiguration")) or {}
        if isinstance(net, dict) and _plain(net.get("assignPublicIp")) is True:
            public_task_ips += int(count)

    albs = 0
    alb_ips = 0
    for r in res:
        if r["type"] in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
            p = props(r)
            if str(_plain(p.get("loadBalancerType")) or "application") != "application":
                continue
            albs += 1
            if _plain(p.get("internal")) is True:
                continue
            subnets = _plain(p.get("subnets"))
            alb_ips += len(subnets) if isinstance(subnets, list) and subnets else (vpc_azs or 2)

    dbs: list[DbUsage] = []
    secrets = 0
    for r in res:
        if r["type"] == "aws:rds/instance:Instance":
            p = props(r)
            dbs.append(DbUsage(r["name"], str(_plain(p.get("instanceClass"))), bool(_plain(p.get("multiAz"))),
                               _num(p.get("allocatedStorage")) or 20.0, str(_plain(p.get("engineVersion")) or ""),
                               str(_plain(p.get("engineLifecycleSupport")) or DbUsage.lifecycle)))
            if _plain(p.get("manageMasterUserPassword")):
                secrets += 1
        elif r["type"] == "aws:secretsmanager/secret:Secret":
            secrets += 1

    flow_logs = sum(1 for r in res if r["type"] == "aws:ec2/flowLog:FlowLog")
    log_gb = total_tasks * a["log_gb_per_task_month"] + flow_logs * a["flow_log_gb_month"]

    ecr_gb = 0.0
    repos = [r for r in res if r["type"] == "aws:ecr/repository:Repository"]
    for repo in repos:
        kept = a["images_kept_default"]
        for r in res:
            if r["type"] == "aws:ecr/lifecyclePolicy:LifecyclePolicy" and repo["urn"] in (r.get("dependencies") or []):
                kept = _images_kept(_plain(props(r).get("policy")), kept)
        ecr_gb += kept * a["image_gb"]

    s3_gateway = any(
        r["type"] == "aws:ec2/vpcEndpoint:VpcEndpoint" and _plain(props(r).get("vpcEndpointType")) == "Gateway"
        and str(_plain(props(r).get("serviceName")) or "").endswith(".s3") for r in res)
    nat_gb = 0.0
    if nat:
        nat_gb = total_tasks * a["log_gb_per_task_month"]
        if not s3_gateway:
            nat_gb += total_tasks * a["image_pulls_per_task_month"] * a["image_gb"]

    alarms = [props(r) for r in res if r["type"] == "aws:cloudwatch/metricAlarm:MetricAlarm"]
    # A metric-math alarm is billed per metric it reads; a plain alarm reads one.
    alarm_metrics = sum(max(1, sum(1 for q in (_plain(p.get("metricQueries")) or []) if isinstance(q, dict)
                                   and q.get("metric"))) for p in alarms)
    dashboards = sum(1 for r in res if r["type"] == "aws:cloudwatch/dashboard:Dashboard")
    custom_metrics = sum(1 for r in res if r["type"] == "aws:cloudwatch/logMetricFilter:LogMetricFilter")

    ipv4 = alb_ips + nat + public_task_ips
    detail = ", ".join(x for x in (f"ALB {alb_ips}" if alb_ips else "", f"NAT {nat}" if nat else "",
                                    f"tasks {public_task_ips}" if public_task_ips else "") if x)
    return Usage(tasks=tuple(tasks), albs=albs, nat_gateways=nat, public_ipv4=ipv4, public_ipv4_detail=detail,
                 databases=tuple(dbs), secrets=secrets, log_gb=round(log_gb, 3), ecr_gb=round(ecr_gb, 3),
                 notes=tuple(notes), nat_gb=round(nat_gb, 3), s3_gateway_endpoint=s3_gateway,
                 alarms=len(alarms), alarm_metrics=alarm_metrics, dashboards=dashboards,
                 custom_metrics=custom_metrics)


def _images_kept(policy: Any, default: float) -> float:
    try:
        doc = json.loads(policy) if isinstance(policy, str) else policy
        counts = [float(rule["selection"]["countNumber"]) for rule in doc.get("rules", [])
                  if rule.get("selection", {}).get("countType") == "imageCountMoreThan"
                  and rule.get("selection", {}).get("tagStatus") != "untagged"]
        return max(counts) if counts else default
    except (TypeError, ValueError, KeyError, AttributeError):
        return default
